import Foundation
import PPLDistributions

/// Sequential Monte Carlo over a model's observations: bootstrap particle filter and resample-move.
///
/// Particles are `Model.Particle` values advanced to their next observation and weighted
/// by its density. With normalised weights W_{t-1} carried between steps, the evidence
/// estimate is Ẑ = Π_t Σ_i W_{t-1}^i w_t^i, unbiased for p(y) under adaptive resampling
/// (resample when the ESS falls below `essThreshold` N). After each resampling, resample-move
/// applies `rejuvenationSteps` single-site Metropolis-Hastings moves to every particle.
/// Gordon, Salmond & Smith (1993); Del Moral, Doucet & Jasra (2012) for adaptive resampling;
/// Gilks & Berzuini (2001) for resample-move; Chopin & Papaspiliopoulos (2020), ch. 10.
public struct SMC: Sendable {
    /// What a run does; `SMC(particles: 1_000, resampling: .systematic, essThreshold: 0.5)`.
    public struct Options: Sendable {
        public var particles: Int
        public var resampling: ResamplingScheme
        /// Resample when ESS < essThreshold · particles; 1 resamples at every step, 0 never.
        public var essThreshold: Double
        /// Metropolis-Hastings moves per particle after each resampling (0: bootstrap SMC).
        public var rejuvenationSteps: Int
        public var rejuvenationProposal: MoveProposal
        public var seed: UInt64
        /// Independent runs; with more than one, the log evidence has a standard error.
        public var runs: Int
        /// Particles per parallel block; part of what a seed reproduces, unlike the thread count.
        public var blockSize: Int
        /// Bootstrap SMC runs the population as columns when the model offers it
        /// (`Model.makePopulation`); false advances particle by particle. Both draw the same
        /// random numbers in the same order when the model's blocks run in lockstep.
        public var columns: Bool

        public init(particles: Int = 1_000, resampling: ResamplingScheme = .systematic, essThreshold: Double = 0.5,
                    rejuvenationSteps: Int = 0, rejuvenationProposal: MoveProposal = .randomWalk,
                    seed: UInt64 = 0, runs: Int = 1, blockSize: Int = 512, columns: Bool = true) {
            self.particles = particles
            self.resampling = resampling
            self.essThreshold = essThreshold
            self.rejuvenationSteps = rejuvenationSteps
            self.rejuvenationProposal = rejuvenationProposal
            self.seed = seed
            self.runs = runs
            self.blockSize = blockSize
            self.columns = columns
        }
    }

    /// How a rejuvenation move proposes a new value for its one latent choice.
    public enum MoveProposal: Sendable {
        /// Gaussian random walk on the unconstrained scale (log for positive, logit for
        /// bounded supports), step 2.38 × the particles' spread at that address; prior
        /// proposals for discrete or non-scalar choices.
        case randomWalk
        /// A fresh draw from the choice's prior given the rest.
        case prior
    }

    public var options: Options
    /// Called after each step of the first run with the number of steps done (a progress bar's hook).
    public var progress: (@Sendable (Int) -> Void)?

    public init(_ options: Options, progress: (@Sendable (Int) -> Void)? = nil) {
        self.options = options
        self.progress = progress
    }

    public init(particles: Int = 1_000, resampling: ResamplingScheme = .systematic, essThreshold: Double = 0.5,
                rejuvenationSteps: Int = 0, seed: UInt64 = 0, runs: Int = 1) {
        self.init(Options(particles: particles, resampling: resampling, essThreshold: essThreshold,
                          rejuvenationSteps: rejuvenationSteps, seed: seed, runs: runs))
    }

    /// Runs `options.runs` independent filters; each run is one chain of weighted draws.
    ///
    /// The log evidence is log of the mean of the runs' Ẑ (still unbiased for p(y));
    /// `extra["logEvidenceStandardError"]` is the standard error of the runs' log Ẑ and
    /// `extra["logEvidence.run<r>"]` each run's estimate. ESS history is the first run's;
    /// the resampling count is summed over runs. Cancellation between steps returns the
    /// particles as they stand, marked `cancelled`.
    public func run<M: Model>(_ model: M) async throws(ModelError) -> Posterior {
        let o = options
        guard o.particles > 0 else { throw ModelError(.unsupportedByEngine, "smc needs at least one particle, got \(o.particles)") }
        guard o.runs > 0 else { throw ModelError(.unsupportedByEngine, "smc needs at least one run, got \(o.runs)") }
        guard o.essThreshold >= 0, o.essThreshold <= 1 else {
            throw ModelError(.unsupportedByEngine, "smc's essThreshold must be in [0, 1], got \(o.essThreshold)")
        }
        guard o.rejuvenationSteps >= 0 else {
            throw ModelError(.unsupportedByEngine, "smc's rejuvenationSteps must be 0 or more, got \(o.rejuvenationSteps)")
        }
        var results: [SMCRun] = []
        for r in 0..<o.runs {
            let result: SMCRun
            if o.columns, o.rejuvenationSteps == 0,
               let population = model.makePopulation(particles: o.particles, blockSize: max(1, o.blockSize)) {
                let filter = PopulationFilter(model: model, population: population, options: o, run: r,
                                              progress: r == 0 ? progress : nil)
                result = try await filter.run()
            } else {
                let filter = SMCFilter(model: model, options: o, run: r, progress: r == 0 ? progress : nil)
                result = try await filter.run()
            }
            results.append(result)
            if result.cancelled { break }
        }
        return Self.combine(results, options: o, model: model)
    }

    static func combine<M: Model>(_ runs: [SMCRun], options: Options, model: M) -> Posterior {
        // Runs may see different addresses (stochastic control flow): take the union, NaN where absent.
        var columns: [Address] = []
        var isInteger: [Bool] = []
        var columnOf: [Address: Int] = [:]
        for run in runs {
            for (address, integer) in zip(run.columns, run.isInteger) where columnOf[address] == nil {
                columnOf[address] = columns.count
                columns.append(address)
                isInteger.append(integer)
            }
        }
        var draws: [[[Double]]] = []
        for run in runs {
            var chain = [[Double]](repeating: [Double](repeating: .nan, count: options.particles), count: columns.count)
            for (c, address) in run.columns.enumerated() {
                if let target = columnOf[address] { chain[target] = run.draws[c] }
            }
            draws.append(chain)
        }
        let logEvidences = runs.map(\.logEvidence)
        var diagnostics = EngineDiagnostics()
        diagnostics.essHistory = runs.first?.essHistory
        diagnostics.resamplingCount = runs.reduce(0) { $0 + $1.resamplingCount }
        diagnostics.extra["particles"] = Double(options.particles)
        diagnostics.extra["runs"] = Double(runs.count)
        for (r, logEvidence) in logEvidences.enumerated() { diagnostics.extra["logEvidence.run\(r)"] = logEvidence }
        if runs.count > 1 {
            let mean = logEvidences.reduce(0, +) / Double(runs.count)
            let variance = logEvidences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(runs.count - 1)
            diagnostics.extra["logEvidenceStandardError"] = (variance / Double(runs.count)).squareRoot()
        }
        var proposed: [Address: Int] = [:], accepted: [Address: Int] = [:]
        for run in runs {
            for (a, n) in run.movesProposed { proposed[a, default: 0] += n }
            for (a, n) in run.movesAccepted { accepted[a, default: 0] += n }
        }
        for (a, n) in proposed where n > 0 { diagnostics.acceptanceRate[a] = Double(accepted[a] ?? 0) / Double(n) }
        if let first = runs.first { diagnostics.extra["uniqueAncestors"] = Double(first.uniqueAncestors) }
        if !model.facts.hasObservations || runs.contains(where: { $0.observationSteps == 0 }) {
            diagnostics.warnings.append("the model has no observations: smc ran the prior, every weight is equal")
        }
        let cancelled = runs.contains { $0.cancelled }
        let logEvidence = cancelled ? nil : LogWeights.logSumExp(logEvidences) - log(Double(runs.count))
        return Posterior(engine: "smc", seed: options.seed, columns: columns, columnIsInteger: isInteger,
                         draws: draws, logWeights: runs.map(\.logWeights), logEvidence: logEvidence,
                         diagnostics: diagnostics, cancelled: cancelled)
    }
}

/// What one filter run produced.
struct SMCRun: Sendable {
    var columns: [Address]
    var isInteger: [Bool]
    var draws: [[Double]]
    /// Normalised log weights of the final particles.
    var logWeights: [Double]
    var logEvidence: Double
    var essHistory: [Double]
    var resamplingCount: Int
    var observationSteps: Int
    /// Distinct final-generation ancestors at the first step: how much the genealogy has coalesced.
    var uniqueAncestors: Int
    var movesProposed: [Address: Int]
    var movesAccepted: [Address: Int]
    var cancelled: Bool
}
