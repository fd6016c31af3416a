import Foundation


/// The summary of one scalar column of a posterior, as the table and the JSON output show it.
///
/// Unweighted (MCMC) draws: mean, sd (N - 1), type-7 quantiles over all chains pooled,
/// `ess` = bulk ESS, `essTail`, rank-normalised split `rhat` (nil for one chain) and
/// `mcse` of the mean, all as ArviZ computes them (Vehtari et al. 2021).
/// Weighted draws: weighted mean, sd = sqrt(Σ w (x - mean)²) with normalised w,
/// weighted quantiles (inverse weighted ECDF), `ess` = Kish ESS, `mcse` = sd / sqrt(Kish ESS)
/// (the usual importance-sampling approximation); `essTail` and `rhat` are nil.
/// Draws that are NaN (a choice absent from some runs of a dynamic model) are left out
/// of the moments and quantiles, and then every chain diagnostic is nil.
public struct Summary: Sendable, Equatable {
    public var mean: Double?
    public var sd: Double?
    public var q05: Double?
    public var q50: Double?
    public var q95: Double?
    public var ess: Double?
    public var essTail: Double?
    public var rhat: Double?
    public var mcse: Double?

    public init(mean: Double? = nil, sd: Double? = nil, q05: Double? = nil, q50: Double? = nil, q95: Double? = nil,
                ess: Double? = nil, essTail: Double? = nil, rhat: Double? = nil, mcse: Double? = nil) {
        self.mean = mean
        self.sd = sd
        self.q05 = q05
        self.q50 = q50
        self.q95 = q95
        self.ess = ess
        self.essTail = essTail
        self.rhat = rhat
        self.mcse = mcse
    }

    /// Summary of unweighted draws `chains[chain][draw]`.
    public init(chains: [[Double]]) {
        let present = chains.flatMap { $0 }.filter { !$0.isNaN }
        guard !present.isEmpty else { self.init(); return }
        let sorted = present.sorted()
        let mean = ChainDiagnostics.mean(present)
        self.init(mean: mean,
                  sd: present.count > 1 ? ChainDiagnostics.variance(present).squareRoot() : nil,
                  q05: Quantiles.sorted(sorted, 0.05), q50: Quantiles.sorted(sorted, 0.5),
                  q95: Quantiles.sorted(sorted, 0.95),
                  ess: ChainDiagnostics.bulkEffectiveSampleSize(chains),
                  essTail: ChainDiagnostics.tailEffectiveSampleSize(chains),
                  rhat: ChainDiagnostics.splitRHat(chains),
                  mcse: ChainDiagnostics.monteCarloStandardError(chains))
    }

    /// Summary of weighted draws; `logWeights` need not be normalised and are pooled across chains.
    public init(chains: [[Double]], logWeights: [[Double]]) {
        var values: [Double] = []
        var logW: [Double] = []
        for (chain, weights) in zip(chains, logWeights) {
            for (x, lw) in zip(chain, weights) where !x.isNaN && !lw.isNaN {
                values.append(x)
                logW.append(lw)
            }
        }
        guard let top = logW.max(), top > -.infinity else { self.init(); return }
        var weights = logW.map { exp($0 - top) }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        var mean = 0.0
        for (x, w) in zip(values, weights) { mean += w * x }
        var variance = 0.0
        for (x, w) in zip(values, weights) { variance += w * (x - mean) * (x - mean) }
        let ess = kishEffectiveSampleSize(logWeights: logW)
        self.init(mean: mean, sd: variance.squareRoot(),
                  q05: Quantiles.weighted(values, weights: weights, 0.05),
                  q50: Quantiles.weighted(values, weights: weights, 0.5),
                  q95: Quantiles.weighted(values, weights: weights, 0.95),
                  ess: ess, essTail: nil, rhat: nil, mcse: variance.squareRoot() / ess.squareRoot())
    }
}

extension Posterior {
    /// The summary of every column, in column order.
    public func summaries() -> [Summary] {
        columns.indices.map { summary(column: $0) }
    }

    /// The summary of one column (weighted when the posterior carries log weights).
    public func summary(column: Int) -> Summary {
        let chains = draws.map { $0[column] }
        if let estimate = pointEstimate, let x = chains.first?.first, column < estimate.standardErrors.count {
            func known(_ v: Double) -> Double? { v.isNaN ? nil : v }
            guard !x.isNaN else { return Summary() }
            return Summary(mean: x, sd: known(estimate.standardErrors[column]), q05: known(estimate.lower[column]), q50: x,
                           q95: known(estimate.upper[column]))
        }
        if let logWeights {
            var summary = Summary(chains: chains, logWeights: logWeights)
            if isExact { summary.ess = nil; summary.mcse = nil }
            return summary
        }
        return Summary(chains: chains)
    }
}
