import CGSL
import Foundation
import PPLDistributions

/// Bayesian Bradley-Terry by Gibbs sampling with gamma latent variables (Caron & Doucet 2012).
///
/// Prior lambda_i ~ Gamma(a, b) (rate b). For each pair with n_ij games, the identity
/// 1/(lambda_i+lambda_j)^n = int z^(n-1) e^(-z(lambda_i+lambda_j)) dz / Gamma(n) gives the
/// latent Z_ij | lambda ~ Gamma(n_ij, lambda_i + lambda_j), and then
/// lambda_i | Z ~ Gamma(a + w_i, b + sum_j Z_ij). Because the likelihood is scale-free, the
/// total Lambda = sum_i lambda_i is a posteriori Gamma(n a, b) independently of the
/// proportions, so each sweep also redraws Lambda and rescales (their Algorithm 2), which
/// removes the slow drift of the overall scale. Caron & Doucet, J. Comput. Graph. Statist.
/// 21(1):174-196 (2012).
public struct BradleyTerryGibbs: Sendable {
    public var shape: Double
    public var rate: Double
    public var samples: Int
    public var warmup: Int
    public var thin: Int
    public var chains: Int
    /// Redraw the overall scale each sweep (Caron & Doucet's Algorithm 2).
    public var rescale: Bool

    public init(shape: Double = 1, rate: Double = 1, samples: Int = 1_000, warmup: Int? = nil,
                thin: Int = 1, chains: Int = 4, rescale: Bool = true) {
        self.shape = shape
        self.rate = rate
        self.samples = samples
        self.warmup = warmup ?? samples
        self.thin = thin
        self.chains = chains
        self.rescale = rescale
    }

    /// Draws of the log-strengths s_i = log lambda_i, per chain: draws[chain][item][draw].
    ///
    /// Draws are uncentred (the prior fixes the scale); `summarise` centres them for reporting.
    public func sample(_ graph: ComparisonGraph, seed: UInt64) throws(BradleyTerryError) -> Posterior {
        guard graph.itemCount > 0 else { throw .empty }
        guard !graph.modelsTies, !graph.modelsHome else {
            throw .numerical("the Gibbs sampler handles plain Bradley-Terry only (no Davidson ties, no home advantage)")
        }
        guard shape > 0, rate > 0, shape.isFinite, rate.isFinite else {
            throw .numerical("the gamma prior needs a positive shape and rate, got Gamma(\(shape), \(rate))")
        }
        let n = graph.itemCount
        let score = graph.scores()
        // Each pair once: (i, j, games) for entries with j > i.
        var firsts: [Int32] = [], seconds: [Int32] = [], counts: [Double] = []
        for i in 0..<n {
            for e in graph.rowStart[i]..<graph.rowStart[i + 1] where Int(graph.opponent[e]) > i {
                let games = graph.wins[e] + graph.losses[e]
                guard games > 0 else { continue }
                firsts.append(Int32(i)); seconds.append(graph.opponent[e]); counts.append(games)
            }
        }
        let pairI = firsts, pairJ = seconds, pairGames = counts
        // Chains run in parallel, each on its own stream (seed, chain), so results do not depend on thread count.
        let results = ChainResults(count: chains)
        let (shape, rate, samples, warmup, thin, rescale) = (self.shape, self.rate, self.samples, self.warmup, self.thin, self.rescale)
        DispatchQueue.concurrentPerform(iterations: chains) { chain in
            // The stream is used through its GSL pointer, so it never needs to be mutable here.
            let rng = RandomStream(seed: seed, stream: UInt64(chain))
            var lambda = (0..<n).map { _ in gsl_ran_gamma(rng.gsl, shape, 1 / rate) }
            var latentSum = Array(repeating: 0.0, count: n)
            var chainDraws = Array(repeating: [Double](), count: n)
            for k in 0..<n { chainDraws[k].reserveCapacity(samples) }
            let sweeps = warmup + samples * thin
            for sweep in 0..<sweeps {
                for k in 0..<n { latentSum[k] = 0 }
                for p in 0..<pairGames.count {
                    let i = Int(pairI[p]), j = Int(pairJ[p])
                    let z = gsl_ran_gamma(rng.gsl, pairGames[p], 1 / (lambda[i] + lambda[j]))
                    latentSum[i] += z
                    latentSum[j] += z
                }
                var total = 0.0
                for k in 0..<n {
                    lambda[k] = gsl_ran_gamma(rng.gsl, shape + score[k], 1 / (rate + latentSum[k]))
                    total += lambda[k]
                }
                if rescale {
                    let newTotal = gsl_ran_gamma(rng.gsl, Double(n) * shape, 1 / rate)
                    let factor = newTotal / total
                    for k in 0..<n { lambda[k] *= factor }
                }
                if sweep >= warmup && (sweep - warmup) % thin == thin - 1 {
                    for k in 0..<n { chainDraws[k].append(log(lambda[k])) }
                }
            }
            results.store(chainDraws, at: chain)
        }
        let draws = results.all
        let columns = (0..<n).map { Address("s").appending(index: $0) }
        return Posterior(engine: "rank", seed: seed, columns: columns, columnIsInteger: Array(repeating: false, count: n),
                         draws: draws, diagnostics: EngineDiagnostics(
                            schedule: [(Address("s"), "gibbs-latent-gamma")],
                            extra: ["shape": shape, "rate": rate, "thin": Double(thin)]))
    }
}

/// Each chain's draws, written once per chain from concurrent workers.
private final class ChainResults: @unchecked Sendable {
    private var draws: [[[Double]]]
    private let lock = NSLock()
    init(count: Int) { draws = Array(repeating: [], count: count) }
    func store(_ chainDraws: [[Double]], at chain: Int) { lock.lock(); draws[chain] = chainDraws; lock.unlock() }
    var all: [[[Double]]] { lock.lock(); defer { lock.unlock() }; return draws }
}

/// Per-item summaries of a Bradley-Terry posterior: centred scores, credible intervals and rank probabilities.
public struct BradleyTerryPosteriorSummary: Sendable {
    public var mean: [Double]
    public var sd: [Double]
    public var lower: [Double]
    public var upper: [Double]
    /// rankProbability[i][r] = P(item i is in position r + 1), 1 = strongest.
    public var rankProbability: [[Double]]
    public var expectedRank: [Double]
    public var effectiveSampleSize: [Double]
    public var splitRHat: [Double]

    /// Centres each draw (so scores are comparable with the point estimates) and ranks items per draw.
    public init(_ posterior: Posterior, level: Double = 0.95) {
        let n = posterior.columns.count
        var centred = Array(repeating: [Double](), count: n)
        var perChain = Array(repeating: [[Double]](), count: n)
        var rankCount = Array(repeating: Array(repeating: 0.0, count: n), count: n)
        var totalDraws = 0
        for chain in posterior.draws {
            let m = chain.first?.count ?? 0
            var chainCentred = Array(repeating: [Double](repeating: 0, count: m), count: n)
            var values = Array(repeating: 0.0, count: n)
            var order = Array(0..<n)
            for d in 0..<m {
                var mean = 0.0
                for k in 0..<n { values[k] = chain[k][d]; mean += values[k] }
                mean /= Double(n)
                for k in 0..<n { chainCentred[k][d] = values[k] - mean }
                order.sort { values[$0] > values[$1] }
                for (position, k) in order.enumerated() { rankCount[k][position] += 1 }
            }
            for k in 0..<n { centred[k] += chainCentred[k]; perChain[k].append(chainCentred[k]) }
            totalDraws += m
        }
        let count = Double(max(totalDraws, 1))
        let means = centred.map { $0.reduce(0, +) / count }
        mean = means
        sd = (0..<n).map { k in
            let mu = means[k]
            return (centred[k].reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / max(count - 1, 1)).squareRoot()
        }
        let tail = (1 - level) / 2
        lower = centred.map { quantile($0, tail) }
        upper = centred.map { quantile($0, 1 - tail) }
        let probabilities = rankCount.map { $0.map { $0 / count } }
        rankProbability = probabilities
        expectedRank = probabilities.map { row in row.enumerated().reduce(0) { $0 + Double($1.offset + 1) * $1.element } }
        effectiveSampleSize = perChain.map { MCMCDiagnostics.effectiveSampleSize($0) }
        splitRHat = perChain.map { MCMCDiagnostics.splitRHat($0) }
    }
}

func quantile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let h = p * Double(sorted.count - 1)
    let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
    return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
}

/// Effective sample size and split R-hat for the Bradley-Terry summaries and tests.
///
/// ESS: Geyer's initial monotone sequence on the chains' pooled autocorrelations
/// (Stan's estimator without rank normalisation). Gelman et al., BDA3 sec. 11.5; Vehtari et al. 2021.
public enum MCMCDiagnostics {
    public static func effectiveSampleSize(_ chains: [[Double]]) -> Double {
        let m = chains.count
        guard m > 0, let len = chains.map(\.count).min(), len > 3 else { return .nan }
        let n = Double(len)
        let means = chains.map { c in c.prefix(len).reduce(0, +) / n }
        let variances = chains.enumerated().map { k, c in
            c.prefix(len).reduce(0) { $0 + ($1 - means[k]) * ($1 - means[k]) } / (n - 1)
        }
        let w = variances.reduce(0, +) / Double(m)
        let grand = means.reduce(0, +) / Double(m)
        let b = m > 1 ? n * means.reduce(0) { $0 + ($1 - grand) * ($1 - grand) } / Double(m - 1) : 0
        let varPlus = (n - 1) / n * w + b / n
        guard varPlus > 0 else { return Double(m) * n }
        // Autocovariance per chain at lag t, averaged over chains.
        func rho(_ t: Int) -> Double {
            var acov = 0.0
            for (k, c) in chains.enumerated() {
                var s = 0.0
                for i in 0..<(len - t) { s += (c[i] - means[k]) * (c[i + t] - means[k]) }
                acov += s / n
            }
            acov /= Double(m)
            return 1 - (w - acov) / varPlus
        }
        var sum = 0.0
        var previousPair = Double.infinity
        var t = 0
        while t + 1 < len {
            var pair = (t == 0 ? 1 : rho(t)) + rho(t + 1)
            if pair < 0 { break }
            pair = min(pair, previousPair)
            previousPair = pair
            sum += pair
            t += 2
        }
        let tau = max(-1 + 2 * sum, 1 / log10(max(Double(m) * n, 10)))
        return Double(m) * n / tau
    }

    public static func splitRHat(_ chains: [[Double]]) -> Double {
        var halves: [[Double]] = []
        for c in chains where c.count >= 4 {
            let h = c.count / 2
            halves.append(Array(c[0..<h]))
            halves.append(Array(c[(c.count - h)...]))
        }
        guard halves.count >= 2, let len = halves.map(\.count).min() else { return .nan }
        let n = Double(len), m = Double(halves.count)
        let means = halves.map { $0.prefix(len).reduce(0, +) / n }
        let w = halves.enumerated().map { k, c in c.prefix(len).reduce(0) { $0 + ($1 - means[k]) * ($1 - means[k]) } / (n - 1) }
            .reduce(0, +) / m
        let grand = means.reduce(0, +) / m
        let b = n * means.reduce(0) { $0 + ($1 - grand) * ($1 - grand) } / (m - 1)
        guard w > 0 else { return 1 }
        return (((n - 1) / n * w + b / n) / w).squareRoot()
    }
}
