/// A model's Bradley-Terry structure with its data bound: what the `rank` engine needs from a `Model`.
///
/// The VM builds it from what the `recognise-bradley-terry` pass found and the model's
/// arguments; a Swift model may build it by hand.
public struct BradleyTerryStructure: Sendable {
    /// Whether the latent array holds strengths s or log-strengths b = log s.
    public enum Scale: String, Sendable { case strength, logStrength = "log-strength" }

    /// The prior on each element of the latent array, as far as the engine can use it.
    public enum Prior: Sendable, Equatable, CustomStringConvertible {
        /// s_k ~ Gamma(shape, rate) on strengths: Caron & Doucet's Gibbs sampler targets it exactly.
        case gamma(shape: Double, rate: Double)
        /// b_k ~ Logistic(0, 1) on log-strengths: Newman's (2023) Eq. 26 prior, for MAP.
        case newman
        /// Any other prior, as written (the engine can only ignore it, and says so).
        case other(String)

        public var description: String {
            switch self {
            case .gamma(let a, let b): "Gamma(\(a), \(b)) on strengths"
            case .newman: "Logistic(0, 1) on log-strengths (Newman 2023, Eq. 26)"
            case .other(let text): text
            }
        }
    }

    /// The latent array's root name (`s` for `s[0]`, `s[1]`, ...).
    public var strengths: String
    public var scale: Scale
    public var prior: Prior
    /// Items are `strengths[0] ..< strengths[itemCount]`, named by those addresses.
    public var data: ComparisonData
    /// Address of the home-advantage latent, if the model has one.
    public var home: String?
    /// Whether the home factor is added to log-strengths (the logistic form) rather than multiplying strengths.
    public var homeIsLogScale: Bool
    /// Address of Davidson's tie parameter, if the model has one.
    public var tie: String?
    /// Where the likelihood is written (`file:line:col`), for messages.
    public var location: String

    public init(strengths: String, scale: Scale, prior: Prior, data: ComparisonData, home: String? = nil,
                homeIsLogScale: Bool = false, tie: String? = nil, location: String) {
        self.strengths = strengths
        self.scale = scale
        self.prior = prior
        self.data = data
        self.home = home
        self.homeIsLogScale = homeIsLogScale
        self.tie = tie
        self.location = location
    }
}

/// Whether a model is a Bradley-Terry model the `rank` engine can solve, and if not, why.
public enum BradleyTerryAvailability: Sendable {
    case available(BradleyTerryStructure)
    /// A sentence naming the place (`file:line:col`) and the reason.
    case unavailable(String)
}
