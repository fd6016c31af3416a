import Foundation
import PPLDistributions

/// Convergence diagnostics of MCMC draws, computed as ArviZ 0.23 computes them.
///
/// Input is `chains[chain][draw]` for one scalar quantity. Functions return nil where
/// ArviZ returns NaN: fewer than 4 draws, any NaN draw, a constant quantity for R-hat,
/// and (for R-hat) a single chain.
///
/// Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), "Rank-normalization, folding,
/// and localization: an improved R-hat for assessing convergence of MCMC", Bayesian Analysis 16(2).
public enum ChainDiagnostics {
    /// Rank-normalised split R-hat: the larger of the bulk and the folded (tail) versions.
    ///
    /// R = sqrt(((N-1)/N W + B/N) / W) on split, rank-normalised chains, with
    /// W the mean within-chain variance and B/N the variance of the chain means.
    public static func splitRHat(_ chains: [[Double]]) -> Double? {
        guard isValid(chains, minimumChains: 2) else { return nil }
        let split = splitChains(chains)
        let bulk = rHat(zScale(split))
        let centre = median(split.flatMap { $0 })
        let tail = rHat(zScale(split.map { $0.map { abs($0 - centre) } }))
        return finite(max(bulk, tail))
    }

    /// Bulk effective sample size: ESS of the split, rank-normalised chains.
    public static func bulkEffectiveSampleSize(_ chains: [[Double]]) -> Double? {
        guard isValid(chains, minimumChains: 1) else { return nil }
        return finite(effectiveSampleSize(zScale(splitChains(chains))))
    }

    /// Tail effective sample size: the smaller ESS of the indicators x <= q05 and x <= q95 on split chains.
    public static func tailEffectiveSampleSize(_ chains: [[Double]]) -> Double? {
        guard isValid(chains, minimumChains: 1) else { return nil }
        let sorted = chains.flatMap { $0 }.sorted()
        let split = splitChains(chains)
        var smallest = Double.infinity
        for p in [0.05, 0.95] {
            let q = Quantiles.sorted(sorted, p)
            smallest = min(smallest, effectiveSampleSize(split.map { $0.map { $0 <= q ? 1 : 0 } }))
        }
        return finite(smallest)
    }

    /// Effective sample size of the mean: ESS of the split chains without rank normalisation.
    public static func meanEffectiveSampleSize(_ chains: [[Double]]) -> Double? {
        guard isValid(chains, minimumChains: 1) else { return nil }
        return finite(effectiveSampleSize(splitChains(chains)))
    }

    /// Monte Carlo standard error of the mean: sd / sqrt(ESS_mean), sd over all draws with N-1.
    public static func monteCarloStandardError(_ chains: [[Double]]) -> Double? {
        guard let ess = meanEffectiveSampleSize(chains) else { return nil }
        let all = chains.flatMap { $0 }
        return finite(variance(all).squareRoot() / ess.squareRoot())
    }

    // MARK: - The pieces, as in ArviZ's diagnostics module

    static func isValid(_ chains: [[Double]], minimumChains: Int) -> Bool {
        guard chains.count >= minimumChains, let first = chains.first, first.count >= 4 else { return false }
        return chains.allSatisfy { $0.count == first.count && !$0.contains(where: \.isNaN) }
    }

    static func finite(_ x: Double) -> Double? { x.isNaN ? nil : x }

    /// Each chain's first and last floor(N/2) draws as two chains (the middle draw of odd N is dropped).
    static func splitChains(_ chains: [[Double]]) -> [[Double]] {
        let half = (chains.first?.count ?? 0) / 2
        return chains.map { Array($0.prefix(half)) } + chains.map { Array($0.suffix(half)) }
    }

    /// Normal scores of pooled average ranks: Φ⁻¹((r - 3/8) / (S + 1/4)) (Blom 1958).
    static func zScale(_ chains: [[Double]]) -> [[Double]] {
        let all = chains.flatMap { $0 }
        let ranks = averageRanks(all)
        let size = Double(all.count)
        var out: [[Double]] = []
        var k = 0
        for chain in chains {
            var z: [Double] = []
            z.reserveCapacity(chain.count)
            for _ in chain {
                z.append(standardNormalQuantile((ranks[k] - 0.375) / (size + 0.25)))
                k += 1
            }
            out.append(z)
        }
        return out
    }

    /// 1-based ranks with ties given their average rank.
    static func averageRanks(_ xs: [Double]) -> [Double] {
        let order = xs.indices.sorted { xs[$0] < xs[$1] }
        var ranks = [Double](repeating: 0, count: xs.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && xs[order[j + 1]] == xs[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = rank }
            i = j + 1
        }
        return ranks
    }

    static func standardNormalQuantile(_ p: Double) -> Double {
        (try? Normal(mu: 0, sigma: 1))?.quantile(p) ?? .nan
    }

    static func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }

    /// Sample variance with N - 1.
    static func variance(_ xs: [Double]) -> Double {
        let m = mean(xs)
        return xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)
    }

    static func median(_ xs: [Double]) -> Double { Quantiles.sorted(xs.sorted(), 0.5) }

    /// Classic R-hat of (already split) chains.
    static func rHat(_ chains: [[Double]]) -> Double {
        let n = Double(chains[0].count)
        let between = n * variance(chains.map(mean))
        let within = mean(chains.map(variance))
        return ((between / within + n - 1) / n).squareRoot()
    }

    /// Autocovariance at one lag with the chain mean removed and divided by N (as ArviZ's FFT version).
    static func autocovariance(_ xs: [Double], mean m: Double, lag: Int) -> Double {
        var sum = 0.0
        for i in 0..<(xs.count - lag) { sum += (xs[i] - m) * (xs[i + lag] - m) }
        return sum / Double(xs.count)
    }

    /// ESS of several chains by Geyer's initial monotone sequence on the combined autocorrelations.
    ///
    /// ρ_t = 1 - (W - mean_c acov_c(t)) / var⁺, summed in pairs while positive and made monotone;
    /// ESS = M N / τ with τ = -1 + 2 Σ ρ_t (Geyer 1992; Stan's and ArviZ's estimator).
    static func effectiveSampleSize(_ chains: [[Double]]) -> Double {
        let all = chains.flatMap { $0 }
        guard let lo = all.min(), let hi = all.max() else { return .nan }
        if hi - lo < 1e-15 { return Double(all.count) }  // numpy's float resolution
        let chainCount = chains.count
        let n = chains[0].count
        let nd = Double(n)
        let means = chains.map(mean)
        // Combined autocovariance, computed lag by lag as the Geyer sequence asks for it.
        func meanAutocovariance(_ lag: Int) -> Double {
            var sum = 0.0
            for c in 0..<chainCount { sum += autocovariance(chains[c], mean: means[c], lag: lag) }
            return sum / Double(chainCount)
        }
        let meanVariance = meanAutocovariance(0) * nd / (nd - 1)
        var varPlus = meanVariance * (nd - 1) / nd
        if chainCount > 1 { varPlus += variance(means) }

        var rho = [Double](repeating: 0, count: n)
        var rhoEven = 1.0
        rho[0] = rhoEven
        var rhoOdd = 1 - (meanVariance - meanAutocovariance(1)) / varPlus
        rho[1] = rhoOdd
        var t = 1
        while t < n - 3 && rhoEven + rhoOdd > 0 {
            rhoEven = 1 - (meanVariance - meanAutocovariance(t + 1)) / varPlus
            rhoOdd = 1 - (meanVariance - meanAutocovariance(t + 2)) / varPlus
            if rhoEven + rhoOdd >= 0 {
                rho[t + 1] = rhoEven
                rho[t + 2] = rhoOdd
            }
            t += 2
        }
        let maxT = t - 2
        if rhoEven > 0 { rho[maxT + 1] = rhoEven }
        t = 1
        while t <= maxT - 2 {
            if rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t] {
                rho[t + 1] = (rho[t - 1] + rho[t]) / 2
                rho[t + 2] = rho[t + 1]
            }
            t += 2
        }
        let total = Double(chainCount * n)
        var tau = -1.0
        if maxT >= 0 { for k in 0...maxT { tau += 2 * rho[k] } }
        if maxT + 1 < n { tau += rho[maxT + 1] }
        tau = max(tau, 1 / log10(total))
        if rho.contains(where: \.isNaN) { return .nan }
        return total / tau
    }
}
