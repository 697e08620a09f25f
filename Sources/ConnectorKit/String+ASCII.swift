/// Fixed-width ASCII text helpers for the wire formats here (HTTP dates, `X-Amz-Date`, hex):
/// they must not depend on locale, which `String(format:)` and number formatters do.
extension String {
    /// Left-pads with zeros: `"7".leftPadded(to: 2) == "07"`.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
