import BanquetCore
import Foundation

/// One `config.postgres_changes` entry of a join: which table, which events, which rows.
/// The join's reply echoes each binding with the id the client matches events by.
struct PostgresChangesBinding: Sendable {
    enum Event: String, Sendable {
        case all = "*", insert = "INSERT", update = "UPDATE", delete = "DELETE"
    }

    let id: Int
    let event: Event
    /// nil: every watched table.
    let table: WatchedTable?
    let filter: RowFilter?
    /// The binding as the client sent it, for the reply (the client compares event, schema, table and filter).
    let echo: String

    func matches(table changed: WatchedTable, op: Event) -> Bool {
        (table == nil || table == changed) && (event == .all || event == op)
    }

    /// Parses and checks one binding; the error text is what the client's system message shows.
    static func parse(_ value: JSONValue, id: Int, columns: ColumnCatalog.Snapshot) throws(BindingError) -> PostgresChangesBinding {
        guard case .object = value else { throw .invalid("a postgres_changes binding must be an object") }
        let eventText = value["event"]?.string ?? "*"
        guard let event = Event(rawValue: eventText.uppercased()) else {
            throw .invalid("unknown event \(eventText): use *, INSERT, UPDATE or DELETE")
        }
        let schema = value["schema"]?.string ?? "public"
        guard schema == WatchedTable.schema else {
            throw .invalid("schema \(schema) has no realtime tables; use schema \(WatchedTable.schema)")
        }
        var table: WatchedTable?
        if let name = value["table"]?.string, name != "*" {
            guard let known = WatchedTable(rawValue: name) else {
                throw .invalid("table \(schema).\(name) is not published for realtime; published: "
                    + WatchedTable.allCases.map(\.rawValue).joined(separator: ", "))
            }
            table = known
        }
        var filter: RowFilter?
        if let text = value["filter"]?.string, !text.isEmpty {
            guard let table else { throw .invalid("a filter needs a table") }
            filter = try RowFilter.parse(text)
            guard columns.columns(of: table).contains(where: { $0.name == filter!.column }) else {
                throw .invalid("Error parsing `filter` params: column \(filter!.column) does not exist in \(schema).\(table.rawValue)")
            }
        }
        var echo: [String: JSONValue] = ["id": .number(Double(id)), "event": .string(eventText), "schema": .string(schema)]
        if let name = value["table"] { echo["table"] = name }
        if let text = value["filter"] { echo["filter"] = text }
        return PostgresChangesBinding(id: id, event: event, table: table, filter: filter, echo: JSONValue.object(echo).jsonText)
    }
}

enum BindingError: Error, Equatable {
    case invalid(String)

    var message: String {
        switch self {
        case .invalid(let text): text
        }
    }
}

/// A `column=op.value` filter: `eq`, `neq` and `in` (`status=in.(held,confirmed)`), compared on the
/// value's text as PostgREST's filters are written.
struct RowFilter: Sendable, Equatable {
    enum Operator: String, Sendable { case eq, neq, `in` }

    let column: String
    let op: Operator
    let values: [String]

    static func parse(_ text: String) throws(BindingError) -> RowFilter {
        guard let equals = text.firstIndex(of: "=") else { throw .invalid("Error parsing `filter` params: expected column=operator.value in \(text)") }
        let column = String(text[..<equals])
        let rest = text[text.index(after: equals)...]
        guard let dot = rest.firstIndex(of: "."), !column.isEmpty else {
            throw .invalid("Error parsing `filter` params: expected column=operator.value in \(text)")
        }
        let opText = String(rest[..<dot])
        let value = String(rest[rest.index(after: dot)...])
        guard let op = Operator(rawValue: opText) else {
            throw .invalid("Error parsing `filter` params: operator \(opText) is not supported; use eq, neq or in")
        }
        if op == .in {
            guard value.hasPrefix("("), value.hasSuffix(")"), value.count >= 2 else {
                throw .invalid("Error parsing `filter` params: in expects a list, e.g. status=in.(held,confirmed)")
            }
            let list = value.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            return RowFilter(column: column, op: op, values: list)
        }
        return RowFilter(column: column, op: op, values: [value])
    }

    /// Whether a row (its JSON object) passes. A column the row lacks never passes: a DELETE's
    /// old record carries only the primary key, so only an `id` filter can match a delete.
    func passes(_ row: [String: JSONValue]) -> Bool {
        guard let value = row[column] else { return false }
        let text: String
        switch value {
        case .null: text = "null"
        case .bool(let flag): text = flag ? "true" : "false"
        default:
            guard let string = value.string else { return false }
            text = string
        }
        switch op {
        case .eq: return text == values[0]
        case .neq: return text != values[0]
        case .in: return values.contains(text)
        }
    }
}
