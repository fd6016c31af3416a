/// What analysis passes found about a module; engines receive it through `ModelFacts`.
public struct ModuleFacts: Sendable, Hashable {
    /// No branch, loop bound, call or address index depends on a random choice (nil: not analysed).
    public var isStatic: Bool?
    /// Why the module is not static, one sentence each with its location.
    public var nonStaticReasons: [String] = []
    /// Edges between choice sites (`mu -> y[*]`) when the dependency analysis has run.
    public var dependencies: [SiteDependency]?
    /// Each latent site's Markov blanket: its parents, children and the children's other parents.
    public var markovBlankets: [String: [String]]?
    /// Sites of latent choices and observations, in program order (`z[*]`, `f[*].x`).
    public var latentSites: [String] = []
    public var observedSites: [String] = []

    public init() {}

    /// Comment lines appended to the printed module.
    public var description: String {
        var lines: [String] = []
        if let isStatic {
            lines.append("// static: \(isStatic)")
            for reason in nonStaticReasons { lines.append("//   \(reason)") }
        }
        if let dependencies {
            lines.append("// dependencies:")
            for edge in dependencies { lines.append("//   \(edge.from) -> \(edge.to)") }
        }
        if let markovBlankets {
            lines.append("// markov blankets:")
            for site in latentSites {
                lines.append("//   \(site): {\((markovBlankets[site] ?? []).joined(separator: ", "))}")
            }
        }
        return lines.isEmpty ? "" : "\n" + lines.joined(separator: "\n") + "\n"
    }
}

/// `from` influences `to`: a value of a `from` choice flows into `to`'s parameters or address.
public struct SiteDependency: Sendable, Hashable {
    public var from: String
    public var to: String
    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }
}
