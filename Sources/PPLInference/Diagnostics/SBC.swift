import PPLDistributions

/// Simulation-based calibration: checks that an inference procedure is calibrated for a model.
///
/// For n = 1..N: draw θ̃ ~ p(θ), y ~ p(y | θ̃), L posterior draws θ₁..θ_L given y, and the
/// rank r = #{θ_l < θ̃} ∈ {0, ..., L} (ties broken uniformly at random, for discrete θ).
/// If the procedure samples the exact posterior, r is uniform on {0, ..., L}; a Pearson
/// chi-square test on a histogram of the ranks measures the departure.
/// Talts, Betancourt, Simpson, Vehtari & Gelman (2018), "Validating Bayesian inference
/// algorithms with simulation-based calibration", arXiv:1804.06788.
public struct SimulationBasedCalibration: Sendable {
    /// N, the number of simulated data sets.
    public var replications: Int
    /// Bins of the rank histogram (at most L + 1).
    public var bins: Int
    /// Keep every `thin`-th posterior draw (pooled over chains) to reduce autocorrelation.
    public var thin: Int
    public var seed: UInt64

    public init(replications: Int = 200, bins: Int = 10, thin: Int = 1, seed: UInt64 = 0) {
        self.replications = replications
        self.bins = bins
        self.thin = thin
        self.seed = seed
    }

    /// The ranks and their uniformity test per parameter.
    public struct Result: Sendable {
        /// Ranks in {0, ..., rankCount - 1}, one per replication.
        public var ranks: [Address: [Int]]
        /// L + 1, the number of possible ranks.
        public var rankCount: Int
        public var bins: Int
        /// Counts per bin, by address.
        public var histograms: [Address: [Int]]
        /// Chi-square statistic and its p-value under uniform ranks, by address.
        public var chiSquare: [Address: Double]
        public var pValues: [Address: Double]

        /// Whether no parameter's p-value falls below `level` after a Bonferroni correction.
        public func isUniform(level: Double = 0.01) -> Bool {
            let threshold = level / Double(max(1, pValues.count))
            return pValues.values.allSatisfy { $0 >= threshold }
        }
    }

    /// Runs the calibration.
    ///
    /// - Parameters:
    ///   - prior: draws θ̃ (the parameters checked, by address) from the prior.
    ///   - simulate: draws a data set given θ̃.
    ///   - infer: posterior draws given a data set and the replication index (to seed it).
    public func run<Data>(
        prior: (inout RandomStream) throws -> [Address: Double],
        simulate: ([Address: Double], inout RandomStream) throws -> Data,
        infer: (Data, Int) async throws -> Posterior
    ) async throws -> Result {
        guard replications >= 1, bins >= 1, thin >= 1 else {
            throw ModelError(.other, "sbc: replications, bins and thin must be at least 1")
        }
        var ranks: [Address: [Int]] = [:]
        var rankCount: Int?
        for n in 0..<replications {
            var rng = RandomStream(seed: seed, stream: UInt64(n))
            let truth = try prior(&rng)
            let data = try simulate(truth, &rng)
            let posterior = try await infer(data, n)
            for (address, value) in truth {
                guard let c = posterior.columnIndex(of: address) else {
                    throw ModelError(.other, "sbc: the posterior has no column '\(address)'", address: address)
                }
                let pooled = posterior.draws.flatMap { $0[c] }
                let kept = stride(from: thin - 1, to: pooled.count, by: thin).map { pooled[$0] }
                if let expected = rankCount, expected != kept.count + 1 {
                    throw ModelError(.other, "sbc: replication \(n) returned \(kept.count) draws, the others \(expected - 1)")
                }
                rankCount = kept.count + 1
                let below = kept.filter { $0 < value }.count
                let ties = kept.filter { $0 == value }.count
                let rank = below + (ties > 0 ? rng.index(below: ties + 1) : 0)
                ranks[address, default: []].append(rank)
            }
        }
        let count = rankCount ?? 1
        let binCount = min(bins, count)
        var histograms: [Address: [Int]] = [:]
        var statistics: [Address: Double] = [:]
        var pValues: [Address: Double] = [:]
        // Rank r goes to bin ⌊r B / (L + 1)⌋; expected counts follow how many ranks each bin holds.
        var ranksPerBin = [Int](repeating: 0, count: binCount)
        for r in 0..<count { ranksPerBin[r * binCount / count] += 1 }
        for (address, values) in ranks {
            var histogram = [Int](repeating: 0, count: binCount)
            for r in values { histogram[r * binCount / count] += 1 }
            var statistic = 0.0
            for b in 0..<binCount {
                let expected = Double(values.count) * Double(ranksPerBin[b]) / Double(count)
                statistic += (Double(histogram[b]) - expected) * (Double(histogram[b]) - expected) / expected
            }
            histograms[address] = histogram
            statistics[address] = statistic
            let chi = try? ChiSquared(nu: Double(max(1, binCount - 1)))
            pValues[address] = 1 - (chi?.cdf(statistic) ?? 0)
        }
        return Result(ranks: ranks, rankCount: count, bins: binCount, histograms: histograms,
                      chiSquare: statistics, pValues: pValues)
    }
}
