/// Picks the overload a call means, by argument names, as PostgREST does: every required
/// parameter given, nothing given that the function does not take. A function with one unnamed
/// json/jsonb parameter matches any POST body.
enum RoutineResolver {
    enum Resolution {
        case named(Routine)
        case wholeBody(Routine)
    }

    static func resolve(schema: String, name: String, argumentNames: Set<String>, isPost: Bool, cache: SchemaCache) throws(PostgRESTError) -> Resolution {
        let overloads = cache.overloads(schema: schema, name: name)
        let named = overloads.filter { routine in
            !routine.takesWholeBody && routine.requiredNames.isSubset(of: argumentNames) && argumentNames.isSubset(of: routine.allNames)
        }
        if named.count == 1 { return .named(named[0]) }
        if named.count > 1 {
            // More than one fits; PostgREST prefers the one taking the most of the given names,
            // and answers 300 when that still ties.
            let best = named.max { $0.parameters.count > $1.parameters.count }!
            let tied = named.filter { $0.parameters.count == best.parameters.count }
            if tied.count == 1 { return .named(best) }
            throw ambiguous(tied)
        }
        if isPost, let whole = overloads.first(where: \.takesWholeBody) { return .wholeBody(whole) }
        throw notFound(schema: schema, name: name, argumentNames: argumentNames, overloads: overloads, cache: cache)
    }

    static func notFound(schema: String, name: String, argumentNames: Set<String>, overloads: [Routine], cache: SchemaCache) -> PostgRESTError {
        let keys = argumentNames.sorted()
        let function = "\(schema).\(name)"
        let signature = keys.isEmpty ? " without parameters" : "(" + keys.joined(separator: ", ") + ")"
        let searched = keys.isEmpty ? " without parameters" : " with parameter" + (keys.count > 1 ? "s " : " ") + keys.joined(separator: ", ")
        var hint: String?
        if overloads.isEmpty {
            if let near = Fuzzy.closest(to: name, among: cache.names(in: schema)) {
                hint = "Perhaps you meant to call the function \(schema).\(near)"
            }
        } else {
            let given = "(" + keys.joined(separator: ", ") + ")"
            let candidates = overloads.map { "(" + $0.parameters.map(\.name).sorted().joined(separator: ", ") + ")" }
            if let near = Fuzzy.closest(to: given, among: candidates) {
                hint = "Perhaps you meant to call the function \(schema).\(name)\(near)"
            }
        }
        return PostgRESTError(
            status: .notFound, code: "PGRST202",
            message: "Could not find the function \(function)\(keys.isEmpty ? signature : signature) in the schema cache",
            details: "Searched for the function \(function)\(searched) or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.",
            hint: hint)
    }

    static func ambiguous(_ routines: [Routine]) -> PostgRESTError {
        let list = routines.map { routine in
            routine.qualifiedName + "(" + routine.parameters.map { "\($0.name) => \($0.type)" }.joined(separator: ", ") + ")"
        }
        return PostgRESTError(status: .multipleChoices, code: "PGRST203",
                              message: "Could not choose the best candidate function between: " + list.joined(separator: ", "),
                              hint: "Try renaming the parameters or the function itself in the database so function overloading can be resolved")
    }
}

/// The "did you mean" of PostgREST's hints: the candidate with the highest bigram (Dice)
/// similarity, if it is similar enough to be a plausible typo.
enum Fuzzy {
    static func closest(to word: String, among candidates: [String], threshold: Double = 0.4) -> String? {
        let target = bigrams(word)
        var best: (String, Double)?
        for candidate in candidates {
            let score = dice(target, bigrams(candidate))
            if score >= threshold, score > (best?.1 ?? 0) { best = (candidate, score) }
        }
        return best?.0
    }

    static func bigrams(_ word: String) -> [String: Int] {
        let characters = Array(word.lowercased())
        guard characters.count > 1 else { return [word.lowercased(): 1] }
        var result: [String: Int] = [:]
        for index in 0..<(characters.count - 1) {
            result[String(characters[index...index + 1]), default: 0] += 1
        }
        return result
    }

    static func dice(_ a: [String: Int], _ b: [String: Int]) -> Double {
        let shared = a.reduce(0) { $0 + min($1.value, b[$1.key] ?? 0) }
        let total = a.values.reduce(0, +) + b.values.reduce(0, +)
        return total == 0 ? 0 : 2 * Double(shared) / Double(total)
    }
}
