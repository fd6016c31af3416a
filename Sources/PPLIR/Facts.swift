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
    /// Every run makes the same choices at the same addresses, reads at random indices allowed (nil: not analysed).
    public var fixedAddresses: Bool?
    /// Per latent site, whether its full conditional is closed form (`recognise-conjugacy`; nil: not analysed).
    public var conjugacy: [ConjugacyFact]?
    /// The Bradley-Terry comparison structure, or why there is none (`recognise-bradley-terry`; nil: not analysed).
    public var bradleyTerry: BradleyTerryRecognition?

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
        if let conjugacy {
            lines.append("// conjugacy:")
            for fact in conjugacy { lines.append("//   \(fact)") }
        }
        if let fixedAddresses, conjugacy != nil { lines.append("// fixed addresses: \(fixedAddresses)") }
        if let bradleyTerry {
            lines.append("// bradley-terry:")
            for line in bradleyTerry.description.split(separator: "\n") { lines.append("//   \(line)") }
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

/// One latent site's verdict from `recognise-conjugacy`: its prior, and its conjugate
/// likelihood terms or why it has none.
public struct ConjugacyFact: Sendable, Hashable, CustomStringConvertible {
    /// `mu[*]`, `p`: indices replaced by `*`.
    public var site: String
    /// The prior's family, e.g. `Normal`.
    public var prior: String
    /// The children that read it, e.g. `y[*] ~ Normal (mean)`.
    public var children: [String]
    /// Nil when the full conditional is closed form (in the prior's family); otherwise why not.
    public var rejection: String?

    public init(site: String, prior: String, children: [String], rejection: String? = nil) {
        self.site = site
        self.prior = prior
        self.children = children
        self.rejection = rejection
    }

    public var isConjugate: Bool { rejection == nil }

    /// `mu[*]: Normal, conjugate with y[*] ~ Normal (mean)` or `sigma: HalfNormal, not conjugate: ...`.
    public var description: String {
        if let rejection { return "\(site): \(prior), not conjugate: \(rejection)" }
        if children.isEmpty { return "\(site): \(prior), conjugate (no children: the prior)" }
        return "\(site): \(prior), conjugate with \(children.joined(separator: ", "))"
    }
}
