import BanquetCore
import Foundation

/// A webhook body as JSON (the accessors are BanquetCore's).
extension JSONValue {
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw EdgeFailure.badRequest("the body is not JSON")
        }
    }
}
