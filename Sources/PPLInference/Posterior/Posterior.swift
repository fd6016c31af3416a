import PPLDistributions

/// What an engine returns: draws per scalar address and chain, optional weights, evidence and diagnostics.
///
/// Non-scalar choices are flattened to scalar columns (`theta[0]`, `theta[1]`, ...).
public struct Posterior: Sendable {
    /// The engine's name as users write it (`enumerate`, `lw`, `smc`, `mh`, `gibbs`, `rank`).
    public var engine: String
    public var seed: UInt64
    /// Column order: latent addresses, then deterministic quantities, then `return` if any.
    public var columns: [Address]
    /// Whether each column holds integers (for CSV formatting and discrete summaries).
    public var columnIsInteger: [Bool]
    /// draws[chain][column][draw]
    public var draws: [[[Double]]]
    /// Normalised-or-not log weights per chain and draw; nil for unweighted (MCMC) draws.
    public var logWeights: [[Double]]?
    /// log p(data); nil where the engine does not estimate it.
    public var logEvidence: Double?
    public var diagnostics: EngineDiagnostics
    /// Whether the run was cancelled and these are the draws made so far.
    public var cancelled: Bool
    /// Whether the weighted draws are the exact posterior (enumeration): no Monte Carlo error to report.
    public var isExact: Bool = false
    /// Per-draw sampler statistics by CmdStan name (`lp__`, `accept_stat__`, ...): [chain][draw].
    public var sampleStatistics: [String: [[Double]]] = [:]
    /// Addresses of the observations, in the order of `pointwiseLogLikelihood`'s rows.
    public var observationAddresses: [Address] = []
    /// log p(y_i | θ) per chain, observation and draw, for LOO and WAIC; nil unless requested.
    public var pointwiseLogLikelihood: [[[Double]]]?
    /// Scalar columns of predictive draws of the observed sites (flattened like `columns`).
    public var predictiveColumns: [Address] = []
    /// Predictive draws y_rep per chain, column and draw; nil unless requested.
    public var predictiveDraws: [[[Double]]]?
    /// Set when the one draw per column is a point estimate (the `rank` engine's MLE or MAP), not a sample.
    public var pointEstimate: PointEstimate?

    public init(engine: String, seed: UInt64, columns: [Address], columnIsInteger: [Bool],
                draws: [[[Double]]], logWeights: [[Double]]? = nil, logEvidence: Double? = nil,
                diagnostics: EngineDiagnostics = EngineDiagnostics(), cancelled: Bool = false) {
        self.engine = engine
        self.seed = seed
        self.columns = columns
        self.columnIsInteger = columnIsInteger
        self.draws = draws
        self.logWeights = logWeights
        self.logEvidence = logEvidence
        self.diagnostics = diagnostics
        self.cancelled = cancelled
    }

    public var chainCount: Int { draws.count }
    public var isWeighted: Bool { logWeights != nil }

    public func columnIndex(of address: Address) -> Int? { columns.firstIndex(of: address) }
}

/// Engine-specific facts about a run, all optional so JSON can print null for what does not apply.
public struct EngineDiagnostics: Sendable {
    /// Metropolis-Hastings acceptance rate per address.
    public var acceptanceRate: [Address: Double]
    /// SMC: how many times particles were resampled.
    public var resamplingCount: Int?
    /// SMC: effective sample size after each observation.
    public var essHistory: [Double]?
    /// Gibbs: which kernel each address got.
    public var schedule: [(Address, String)]
    /// Notes and warnings for the user (R-hat > 1.01, low ESS, prior-only runs, ...).
    public var warnings: [String]
    /// Free-form extra numbers (e.g. iteration counts) keyed by name.
    public var extra: [String: Double]

    public init(acceptanceRate: [Address: Double] = [:], resamplingCount: Int? = nil,
                essHistory: [Double]? = nil, schedule: [(Address, String)] = [],
                warnings: [String] = [], extra: [String: Double] = [:]) {
        self.acceptanceRate = acceptanceRate
        self.resamplingCount = resamplingCount
        self.essHistory = essHistory
        self.schedule = schedule
        self.warnings = warnings
        self.extra = extra
    }
}
