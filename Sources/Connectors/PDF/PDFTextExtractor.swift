import BanquetCore
import Foundation

/// Why a brochure yielded no text; each case is a document status a manager can act on.
public enum PDFUnreadable: Error, Sendable, Equatable, CustomStringConvertible {
    /// No text layer (a scan or a picture): it needs OCR or a text PDF.
    case scanned
    /// Password-protected, or its owner forbids copying text.
    case encrypted
    /// Not a PDF, or damaged beyond what poppler can read.
    case corrupt(String)
    /// Over the size or page cap.
    case oversized(String)

    /// The `app.documents.extraction_status` it ends in.
    public var status: String {
        switch self {
        case .scanned: "scanned"
        case .encrypted: "encrypted"
        case .corrupt: "corrupt"
        case .oversized: "oversized"
        }
    }

    public var description: String {
        switch self {
        case .scanned: "the PDF has no text layer (a scan or images): upload a text PDF, or run OCR first"
        case .encrypted: "the PDF is password-protected or forbids copying its text: upload an unprotected copy"
        case .corrupt(let detail): "the file is not a readable PDF (\(detail)): export it again and re-upload"
        case .oversized(let detail): detail
        }
    }
}

/// The I/O seam for turning a brochure into text: `PopplerTextExtractor` runs poppler's
/// `pdfinfo`/`pdftotext`; tests and the offline path can supply text directly.
public protocol PDFTextExtractor: Sendable {
    /// - Throws: `PDFUnreadable` for a brochure that cannot be read, anything else for a failure
    ///   of the machinery (tool missing, timeout).
    func text(ofPDFAt path: String) async throws -> String
}

public struct PDFLimits: Sendable {
    public var maxBytes: Int
    public var maxPages: Int
    public var timeout: Duration

    public init(maxBytes: Int = 20 << 20, maxPages: Int = 40, timeout: Duration = .seconds(30)) {
        self.maxBytes = maxBytes
        self.maxPages = maxPages
        self.timeout = timeout
    }
}

extension PDFLimits {
    /// `PDF_MAX_BYTES` (default 20 MiB), `PDF_MAX_PAGES` (40), `PDF_TIMEOUT_SECONDS` (30).
    public static func fromEnvironment(_ environment: BanquetCore.Environment) throws -> PDFLimits {
        PDFLimits(maxBytes: try environment.int("PDF_MAX_BYTES", default: 20 << 20),
                  maxPages: try environment.int("PDF_MAX_PAGES", default: 40),
                  timeout: .seconds(try environment.int("PDF_TIMEOUT_SECONDS", default: 30)))
    }
}
