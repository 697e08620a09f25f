/// Text made safe for HTML element content and for double- or single-quoted attribute values:
/// `& < > " '` become character references, as OWASP's rule #1 and #2 ask. Everything untrusted
/// that the guest's page, the console or an email template prints goes through this one function.
public enum HTMLEscaping {
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
