import PostgresNIO

/// The one SQL statement a call becomes. Arguments travel as one JSON bind parameter, unpacked
/// by `json_to_record` into the declared parameter types (PostgreSQL does every conversion and
/// rejects bad input with its own SQLSTATE); only names from the schema cache are spliced in,
/// quoted. The statement returns the JSON answer and the row count.
struct RPCQuery {
    let routine: Routine
    let argumentNames: Set<String>
    let wholeBody: Bool

    var sql: String {
        let function = quote(routine.schema) + "." + quote(routine.name)
        var source = ""
        let call: String
        if wholeBody {
            call = "\(function)($1::\(routine.parameters[0].type))"
        } else {
            let given = routine.parameters.filter { argumentNames.contains($0.name) }
            if given.isEmpty {
                call = "\(function)()"
            } else {
                let columns = given.map { "\(quote($0.name)) \($0.type)" }.joined(separator: ", ")
                source = "json_to_record($1::json) as _args(\(columns))"
                call = function + "(" + given.map { ($0.isVariadic ? "variadic " : "") + "\(quote($0.name)) := _args.\(quote($0.name))" }
                    .joined(separator: ", ") + ")"
            }
        }
        let from = source.isEmpty ? "" : " from \(source)"
        // The arguments are one row, so the function runs exactly once.
        switch (routine.returns, routine.returnsSet) {
        case (.void, _):
            return "select null::text, 0 from \(source.isEmpty ? "" : source + ", lateral ")(select \(call)) _r"
        case (.scalar, false):
            return "select to_json(\(call))::text, 1\(from)"
        case (.composite, false):
            return "select to_json(_r)::text, 1 from \(source.isEmpty ? "" : source + ", lateral ")\(call) _r"
        case (_, true):
            return "select coalesce(json_agg(_r), '[]')::text, count(*)::int from \(source.isEmpty ? "" : source + ", lateral ")\(call) _r"
        }
    }

    func query(argumentsJSON: String) -> PostgresQuery {
        var bindings = PostgresBindings()
        if wholeBody || !routine.parameters.filter({ argumentNames.contains($0.name) }).isEmpty {
            bindings.append(argumentsJSON)
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    private func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
