import ArgumentParser
import BanquetCore
import Connectors
import Foundation

/// `banquet extract-menu FILE.pdf`: what `menu.extract` reads from a brochure with the offline
/// parser, as JSON — for checking a brochure before upload, and for `make bench-menus`.
struct ExtractMenuCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract-menu",
        abstract: "Read a PDF menu with pdftotext and the offline parser; print the draft menu as JSON.",
        discussion: "Unreadable brochures print {\"unreadable\": status, \"detail\": …} and exit 2."
    )

    @Argument(help: "The PDF brochure.") var file: String
    @Flag(help: "Treat FILE as pdftotext output instead of a PDF.") var text = false

    func run() async throws {
        let content: String
        if text {
            content = try String(contentsOfFile: file, encoding: .utf8)
        } else {
            do {
                content = try await PopplerTextExtractor(limits: try PDFLimits.fromEnvironment(Environment())).text(ofPDFAt: file)
            } catch let unreadable as PDFUnreadable {
                print(JSONValue.object(["unreadable": .string(unreadable.status), "detail": .string(unreadable.description)]).jsonText)
                throw ExitCode(2)
            }
        }
        print(MenuTextParser.parse(content).json.jsonText)
    }
}
