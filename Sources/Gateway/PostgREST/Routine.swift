/// A function as the schema cache knows it: enough to resolve a call by argument names, build the
/// SQL, shape the answer and describe it in OpenAPI.
struct Routine: Sendable, Equatable {
    struct Parameter: Sendable, Equatable {
        var name: String
        /// `format_type` output, schema-qualified when not in `pg_catalog`/`public`.
        var type: String
        var hasDefault: Bool
        var isVariadic: Bool
    }

    enum Returns: Sendable, Equatable {
        case void
        /// A base, domain, enum, array, json or jsonb value.
        case scalar(type: String)
        /// A table row type, a composite type, or `record` with OUT/TABLE columns.
        case composite
    }

    enum Volatility: String, Sendable {
        case immutable = "i", stable = "s", volatile = "v"
    }

    var schema: String
    var name: String
    var parameters: [Parameter]
    var returns: Returns
    var returnsSet: Bool
    var volatility: Volatility
    var description: String?

    var requiredNames: Set<String> { Set(parameters.filter { !$0.hasDefault }.map(\.name)) }
    var allNames: Set<String> { Set(parameters.map(\.name)) }

    /// `f(json)` / `f(jsonb)` with one unnamed parameter takes the whole request body.
    var takesWholeBody: Bool {
        parameters.count == 1 && parameters[0].name.isEmpty && ["json", "jsonb"].contains(parameters[0].type)
    }

    var qualifiedName: String { "\(schema).\(name)" }
}
