import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO

/// The functions of the exposed schemas, read from the catalog at start and again on
/// `NOTIFY pgrst, 'reload schema'` (as PostgREST does), so a migration needs no restart.
///
/// Reads take a lock-protected snapshot; a reload builds a new snapshot off to the side and
/// swaps it in, so requests never wait for the catalog.
final class SchemaCache: Sendable {
    struct Snapshot: Sendable {
        var routines: [String: [String: [Routine]]] = [:]  // schema → name → overloads
        var loadedAt: ContinuousClock.Instant?
    }

    let schemas: [String]
    private let state = NIOLockedValueBox(Snapshot())

    init(schemas: [String]) {
        self.schemas = schemas
    }

    var snapshot: Snapshot { state.withLockedValue { $0 } }
    var isLoaded: Bool { snapshot.loadedAt != nil }

    func overloads(schema: String, name: String) -> [Routine] {
        snapshot.routines[schema]?[name] ?? []
    }

    func names(in schema: String) -> [String] {
        snapshot.routines[schema].map { Array($0.keys) } ?? []
    }

    /// Reads every function of the exposed schemas. Parameters are the IN, INOUT and VARIADIC
    /// ones in declaration order; `pronargdefaults` counts the trailing ones that have defaults.
    func reload(client: PostgresClient, logger: Logger) async throws {
        let rows = try await client.query("""
            select n.nspname, p.proname,
                   coalesce((
                     select json_agg(json_build_object(
                              'name', coalesce(p.proargnames[a.position], ''),
                              'type', format_type(a.type, null),
                              'mode', coalesce(p.proargmodes[a.position], 'i'))
                            order by a.position)::text
                     from unnest(coalesce(p.proallargtypes, string_to_array(nullif(p.proargtypes::text, ''), ' ')::oid[]))
                          with ordinality as a(type, position)
                   ), '[]') as arguments,
                   p.pronargdefaults::int,
                   p.proretset,
                   p.provolatile::text,
                   format_type(p.prorettype, null) as return_type,
                   (t.typtype = 'c' or (p.prorettype = 'record'::regtype and p.proargmodes && array['o','b','t']::"char"[])) as returns_composite,
                   obj_description(p.oid, 'pg_proc')
            from pg_proc p
            join pg_namespace n on n.oid = p.pronamespace
            join pg_type t on t.oid = p.prorettype
            where n.nspname = any(\(schemas)) and p.prokind = 'f'
            """, logger: logger)
        var next = Snapshot(loadedAt: .now)
        var count = 0
        for try await (schema, name, argumentsJSON, defaults, returnsSet, volatility, returnType, returnsComposite, description)
            in rows.decode((String, String, String, Int, Bool, String, String, Bool, String?).self) {
            guard let routine = Self.routine(schema: schema, name: name, argumentsJSON: argumentsJSON, defaults: defaults, returnsSet: returnsSet,
                                             volatility: volatility, returnType: returnType, returnsComposite: returnsComposite, description: description)
            else { continue }
            next.routines[schema, default: [:]][name, default: []].append(routine)
            count += 1
        }
        state.withLockedValue { $0 = next }
        logger.info("schema cache loaded", metadata: ["functions": "\(count)", "schemas": "\(schemas.joined(separator: ","))"])
    }

    private struct Argument: Decodable {
        let name: String
        let type: String
        let mode: String
    }

    static func routine(schema: String, name: String, argumentsJSON: String, defaults: Int, returnsSet: Bool, volatility: String,
                        returnType: String, returnsComposite: Bool, description: String?) -> Routine? {
        guard let arguments = try? JSONDecoder().decode([Argument].self, from: Data(argumentsJSON.utf8)) else { return nil }
        let inputs = arguments.filter { ["i", "b", "v"].contains($0.mode) }
        let firstDefault = inputs.count - defaults
        let parameters = inputs.enumerated().map { index, argument in
            Routine.Parameter(name: argument.name, type: argument.type, hasDefault: index >= firstDefault, isVariadic: argument.mode == "v")
        }
        let returns: Routine.Returns = returnType == "void" ? .void : (returnsComposite ? .composite : .scalar(type: returnType))
        return Routine(schema: schema, name: name, parameters: parameters, returns: returns, returnsSet: returnsSet,
                       volatility: Routine.Volatility(rawValue: volatility) ?? .volatile, description: description)
    }
}
