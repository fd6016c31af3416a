import Foundation
import PPLDistributions

/// Single-site Metropolis-Hastings over program traces, with several chains in parallel.
///
/// Each step picks a latent uniformly and proposes a new value for it (an adaptive random
/// walk on an unconstrained scale, a uniform move for finite discrete choices, or a draw
/// from its prior), accepting with probability
/// min(1, p(t') q(t | t') / (p(t) q(t' | t))), scored through `Model.update` only
/// (Metropolis et al. 1953; Hastings 1970; Wingate, Stuhlmüller & Goodman 2011 for traces).
/// With `proposal: .adaptiveBlock`, each single-site step is followed by a move of all
/// continuous latents together (`AdaptiveBlockProposal`, Haario et al. 2001), for posteriors
/// too correlated for single-site moves.
/// Counts follow DESIGN.md: `samples` draws kept per chain after `warmup` sweeps, one
/// every `thin` sweeps; a sweep is `latentCount` single-site steps. Chain c draws from
/// `RandomStream(seed: seed, stream: c)`, so results do not depend on the thread count.
public struct MetropolisHastings: Sendable {
    public enum Proposal: Sendable, Equatable {
        /// Random walks on an unconstrained scale, step sizes adapted during warm-up.
        case adaptiveRandomWalk
        /// Every site redrawn from its prior given the rest (through `Model.generate`).
        case prior
        /// The single-site random walks, each followed by an adaptive random-walk move of all
        /// continuous latents together (`AdaptiveBlockProposal`), for correlated posteriors;
        /// static models only, and each block move re-runs the whole model.
        case adaptiveBlock
    }

    /// Draws kept per chain.
    public var samples: Int
    /// Warm-up sweeps per chain, discarded; nil means `samples`.
    public var warmup: Int?
    /// Keep one draw every `thin` sweeps.
    public var thin: Int
    public var chains: Int
    public var seed: UInt64
    public var proposal: Proposal
    /// Starting random-walk step size on the unconstrained scale.
    public var initialStepSize: Double
    /// Starting values by address (`--init addr=value`); the rest are drawn from the prior.
    public var inits: [Address: Value]
    /// Attempts at a starting point with non-zero density before giving up.
    public var initAttempts: Int
    /// Record log p(y_i | θ) for every observation and kept draw.
    public var pointwiseLogLikelihood: Bool
    /// Draw every observed site afresh for each kept draw (needs a `PredictiveModel`).
    public var posteriorPredictive: Bool
    /// At most this many chains run at once; nil for all (the runtime spreads them over the cores).
    public var maxConcurrentChains: Int?
    /// A deliberately wrong kernel for the negative controls in tests.
    var fault: SiteProposal.Fault = .none
    var blockFault: AdaptiveBlockProposal.Fault = .none

    public init(samples: Int = 1_000, warmup: Int? = nil, thin: Int = 1, chains: Int = 4, seed: UInt64 = 0,
                proposal: Proposal = .adaptiveRandomWalk, initialStepSize: Double = 1,
                inits: [Address: Value] = [:], initAttempts: Int = 100,
                pointwiseLogLikelihood: Bool = false, posteriorPredictive: Bool = false,
                maxConcurrentChains: Int? = nil) {
        self.samples = samples
        self.warmup = warmup
        self.thin = thin
        self.chains = chains
        self.seed = seed
        self.proposal = proposal
        self.initialStepSize = initialStepSize
        self.inits = inits
        self.initAttempts = initAttempts
        self.pointwiseLogLikelihood = pointwiseLogLikelihood
        self.posteriorPredictive = posteriorPredictive
        self.maxConcurrentChains = maxConcurrentChains
    }

    /// The engine's name as users write it.
    public static let name = "mh"

    func validate() throws(ModelError) {
        try ChainStart.validate(engine: Self.name, samples: samples, warmup: warmup, thin: thin, chains: chains,
                                maxConcurrentChains: maxConcurrentChains)
        if !(initialStepSize > 0) || !initialStepSize.isFinite {
            throw ChainStart.badOption(Self.name, "initialStepSize", "positive", formatReal(initialStepSize))
        }
    }

    /// Runs every chain and returns their draws with diagnostics; on cancellation, the draws made so far.
    public func run<M: Model>(_ model: M) async throws(ModelError) -> Posterior {
        try validate()
        let predictor = posteriorPredictive ? Predictor(model) : nil
        let settings = self
        let results: [MHChainResult] = await withTaskGroup(of: (Int, MHChainResult).self) { group in
            let limit = min(chains, maxConcurrentChains ?? chains)
            var next = 0
            func launch(_ c: Int) {
                group.addTask { (c, MHChain(model: model, settings: settings, chainIndex: c, predictor: predictor).run()) }
            }
            while next < limit { launch(next); next += 1 }
            var collected = [MHChainResult?](repeating: nil, count: chains)
            while let (c, result) = await group.next() {
                collected[c] = result
                if next < chains { launch(next); next += 1 }
            }
            return collected.compactMap { $0 }
        }
        if let error = results.lazy.compactMap(\.error).first { throw error }
        var posterior = assemble(results)
        if posteriorPredictive && predictor == nil {
            posterior.diagnostics.warnings.append("posterior predictive draws were requested, but this model cannot draw its observations")
        }
        return posterior
    }

    private func assemble(_ results: [MHChainResult]) -> Posterior {
        let count = results.map(\.columns.drawCount).min() ?? 0
        let layout = ColumnLayout(results.map(\.columns))
        var posterior = Posterior(engine: Self.name, seed: seed, columns: layout.addresses,
                                  columnIsInteger: layout.isInteger,
                                  draws: results.map { layout.draws(of: $0.columns, count: count) },
                                  cancelled: results.contains { $0.cancelled })
        posterior.sampleStatistics = [
            "lp__": results.map { Array($0.logJoint.prefix(count)) },
            "accept_stat__": results.map { Array($0.acceptStatistic.prefix(count)) },
        ]
        if pointwiseLogLikelihood {
            let observed = ColumnLayout(results.map(\.logLikelihood))
            posterior.observationAddresses = observed.addresses
            posterior.pointwiseLogLikelihood = results.map { observed.draws(of: $0.logLikelihood, count: count) }
        }
        if posteriorPredictive, results.contains(where: { $0.predictive.drawCount > 0 }) {
            let predicted = ColumnLayout(results.map(\.predictive))
            posterior.predictiveColumns = predicted.addresses
            posterior.predictiveDraws = results.map { predicted.draws(of: $0.predictive, count: count) }
        }

        var accepted: [Address: Int] = [:]
        var proposed: [Address: Int] = [:]
        for result in results {
            for site in result.sites where site.proposed > 0 {
                accepted[site.address, default: 0] += site.accepted
                proposed[site.address, default: 0] += site.proposed
            }
        }
        for (address, n) in proposed { posterior.diagnostics.acceptanceRate[address] = Double(accepted[address] ?? 0) / Double(n) }
        let stuck = proposed.keys.filter { (accepted[$0] ?? 0) == 0 && (proposed[$0] ?? 0) >= 20 }.sorted()
        if !stuck.isEmpty {
            let names = stuck.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (stuck.count > 5 ? " and \(stuck.count - 5) more" : "")
            posterior.diagnostics.warnings.append("no proposal was accepted for \(names): those chains did not move; check the model or use proposal: prior")
        }
        let blockProposed = results.map(\.blockProposed).reduce(0, +)
        if blockProposed > 0 {
            posterior.diagnostics.extra["blockAcceptanceRate"] = Double(results.map(\.blockAccepted).reduce(0, +)) / Double(blockProposed)
        }
        if proposal == .adaptiveBlock, results.contains(where: { !$0.blockUsed }) {
            posterior.diagnostics.warnings.append("block proposals need a static model with continuous latents; only single-site moves were made")
        }
        let rejections = results.map(\.modelRejections).reduce(0, +)
        posterior.diagnostics.extra["modelRejections"] = Double(rejections)
        // The slowest chain's times, and the steps of one chain (all chains take the same number).
        posterior.diagnostics.extra["warmupSeconds"] = results.map(\.warmupSeconds).max() ?? 0
        posterior.diagnostics.extra["samplingSeconds"] = results.map(\.samplingSeconds).max() ?? 0
        posterior.diagnostics.extra["samplingStepsPerChain"] = Double(results.map(\.samplingSteps).max() ?? 0)
        if let message = results.lazy.compactMap(\.firstModelRejection).first {
            posterior.diagnostics.warnings.append("\(rejections) proposals were rejected because the model raised an error there; the first: \(message)")
        }
        posterior.diagnostics.warnings += convergenceWarnings(posterior)
        if posterior.cancelled {
            posterior.diagnostics.warnings.append("the run was cancelled: \(count) draws per chain were kept")
        }
        return posterior
    }

    /// Warnings for R-hat > 1.01 and for bulk or tail ESS below 100 per chain (Vehtari et al. 2021).
    func convergenceWarnings(_ posterior: Posterior) -> [String] {
        var highRHat: [String] = []
        var lowESS: [String] = []
        let floor = 100.0 * Double(posterior.chainCount)
        for (c, address) in posterior.columns.enumerated() {
            let summary = posterior.summary(column: c)
            guard let sd = summary.sd, sd > 0 else { continue }
            if let rhat = summary.rhat, rhat > 1.01 { highRHat.append("'\(address)' (\(String(format: "%.3f", rhat)))") }
            let essBulk = summary.ess ?? .infinity
            let essTail = summary.essTail ?? .infinity
            if min(essBulk, essTail) < floor {
                lowESS.append("'\(address)' (\(String(format: "%.0f", min(essBulk, essTail))))")
            }
        }
        func listed(_ items: [String]) -> String {
            items.count <= 5 ? items.joined(separator: ", ") : items.prefix(5).joined(separator: ", ") + " and \(items.count - 5) more"
        }
        var warnings: [String] = []
        if !highRHat.isEmpty {
            warnings.append("R-hat above 1.01 for \(listed(highRHat)): the chains disagree; run longer or reparameterise")
        }
        if !lowESS.isEmpty {
            warnings.append("effective sample size below 100 per chain for \(listed(lowESS)): estimates are unreliable; draw more samples")
        }
        return warnings
    }
}
