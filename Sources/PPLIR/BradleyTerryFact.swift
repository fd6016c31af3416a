import PPLDiagnostics

/// An expression over constants, model parameters and the comparison loop's index, read off the
/// IR by `recognise-bradley-terry` and evaluated once the model's arguments are bound.
public indirect enum DataExpr: Sendable, Hashable, CustomStringConvertible {
    case int(Int)
    case real(Double)
    case bool(Bool)
    case parameter(String)
    /// The index of the loop over comparisons, named as in the source.
    case loopIndex(String)
    /// `len(a)`.
    case length(DataExpr)
    /// `a[i]`.
    case element(DataExpr, DataExpr)
    /// `a op b` for add, sub, mul, div, mod.
    case binary(BinaryOp, DataExpr, DataExpr)
    case negate(DataExpr)

    public var description: String {
        switch self {
        case .int(let n): "\(n)"
        case .real(let x): "\(x)"
        case .bool(let b): "\(b)"
        case .parameter(let name), .loopIndex(let name): name
        case .length(let a): "len(\(a))"
        case .element(let a, let i): "\(a)[\(i)]"
        case .binary(let op, let a, let b): "\(a.operand) \(op.symbol) \(b.operand)"
        case .negate(let a): "-\(a.operand)"
        }
    }

    private var operand: String {
        if case .binary = self { return "(\(self))" }
        return description
    }

}

/// What `recognise-bradley-terry` found: the model is a Bradley-Terry model over an array of
/// strengths, with its comparisons read from data, or why it is not one.
public enum BradleyTerryRecognition: Sendable, Hashable, CustomStringConvertible {
    case recognised(BradleyTerryFact)
    /// Why not, with the place (`file:line:col`) that decided it.
    case notRecognised(String)

    public var description: String {
        switch self {
        case .recognised(let fact): fact.description
        case .notRecognised(let reason): "not recognised: \(reason)"
        }
    }
}

/// The comparison structure of a Bradley-Terry model, symbolic in the model's parameters.
public struct BradleyTerryFact: Sendable, Hashable, CustomStringConvertible {
    /// Whether the latent array holds strengths s (`BradleyTerry(s[i], s[j])`, `s[i] / (s[i] + s[j])`)
    /// or log-strengths b = log s (`logistic(b[i] - b[j])`).
    public enum Scale: String, Sendable, Hashable { case strength, logStrength = "log-strength" }

    /// The latent array's root name, e.g. `skill` for `skill[k]`.
    public var strengths: String
    public var scale: Scale
    /// Number of items: the upper bound of the loop `for k in 0 ..< n { s[k] ~ prior }`.
    public var itemCount: DataExpr
    /// The prior on each element, e.g. `Gamma` with `[1.0, 1.0]`.
    public var priorFamily: String
    public var priorArguments: [DataExpr]
    public var priorLocation: SourceLocation?
    /// A scalar latent multiplying the first strength (or added to the first log-strength): home advantage.
    public var home: String?
    /// Davidson's tie parameter, a scalar latent.
    public var tie: String?
    public var comparisons: [BradleyTerryComparison]

    public init(strengths: String, scale: Scale, itemCount: DataExpr, priorFamily: String, priorArguments: [DataExpr],
                priorLocation: SourceLocation?, home: String?, tie: String?, comparisons: [BradleyTerryComparison]) {
        self.strengths = strengths
        self.scale = scale
        self.itemCount = itemCount
        self.priorFamily = priorFamily
        self.priorArguments = priorArguments
        self.priorLocation = priorLocation
        self.home = home
        self.tie = tie
        self.comparisons = comparisons
    }

    /// What the `rank` engine does with this prior by default.
    public var estimator: String {
        switch (scale, priorFamily, priorArguments) {
        case (.strength, "Gamma", _), (.strength, "Exponential", _): "rank engine default: bayes (Caron & Doucet Gibbs)"
        case (.logStrength, "Logistic", [.real(0), .real(1)]), (.logStrength, "Logistic", [.int(0), .int(1)]):
            "rank engine default: MAP by Newman's iteration (his Eq. 26 prior)"
        default: "a prior the rank engine cannot use (MLE with 'rank(prior: none)')"
        }
    }

    public var description: String {
        var lines = ["\(strengths)[0 ..< \(itemCount)] (\(scale.rawValue)) ~ \(priorFamily)("
                     + priorArguments.map(\.description).joined(separator: ", ") + "): \(estimator)"]
        if let home { lines.append("home advantage: \(home)") }
        if let tie { lines.append("tie parameter: \(tie)") }
        for c in comparisons { lines.append(c.description) }
        return lines.joined(separator: "\n")
    }
}

/// One likelihood statement of comparisons: for each k in its loop, item `first` met item `second`
/// with result `outcome` (1: first won, 0: second won, 2: a draw under Davidson).
public struct BradleyTerryComparison: Sendable, Hashable, CustomStringConvertible {
    /// The observation's site, e.g. `y[*]`.
    public var site: String
    /// The form written: `BradleyTerry`, `Davidson`, `Bernoulli(s[i]/(s[i]+s[j]))`, `Bernoulli(logistic(b[i]-b[j]))`.
    public var form: String
    /// The loop over comparisons (`for k in lower ..< upper`), nil for a single comparison.
    public var loop: (index: String, lower: DataExpr, upper: DataExpr)? {
        loopIndex.map { ($0, loopLower ?? .int(0), loopUpper ?? .int(0)) }
    }
    public var loopIndex: String?
    public var loopLower: DataExpr?
    public var loopUpper: DataExpr?
    public var first: DataExpr
    public var second: DataExpr
    public var outcome: DataExpr
    /// Whether the first item's strength carries the home-advantage factor.
    public var firstAtHome: Bool
    public var location: SourceLocation?

    public init(site: String, form: String, loop: (index: String, lower: DataExpr, upper: DataExpr)?,
                first: DataExpr, second: DataExpr, outcome: DataExpr, firstAtHome: Bool, location: SourceLocation?) {
        self.site = site
        self.form = form
        self.loopIndex = loop?.index
        self.loopLower = loop?.lower
        self.loopUpper = loop?.upper
        self.first = first
        self.second = second
        self.outcome = outcome
        self.firstAtHome = firstAtHome
        self.location = location
    }

    public var description: String {
        let range = loop.map { "for \($0.index) in \($0.lower) ..< \($0.upper): " } ?? ""
        let at = location.map { "  \($0)" } ?? ""
        return "\(range)\(site) ~ \(form): first \(first), second \(second), outcome \(outcome)"
            + (firstAtHome ? ", first at home" : "") + at
    }
}
