import Foundation
import PPLDistributions

/// One chain of single-site Metropolis-Hastings over a model's traces.
///
/// A sweep is `latentCount` single-site updates, each at a latent chosen uniformly at
/// random (random scan); when the number of latents can change, a sweep keeps the length
/// it had when the phase began, so that which draws are kept never depends on the state. For programs whose set of choices can change, the acceptance
/// ratio carries the address-selection correction log N - log N' and the `Model.update`
/// weight, which already removes the prior densities of choices that appear and restores
/// those of choices that disappear (Wingate, Stuhlmüller & Goodman 2011).
struct MHChain<M: Model>: Sendable {
    let model: M
    let settings: MetropolisHastings
    let chainIndex: Int
    let predictor: Predictor<M.Trace>?
    /// `model.facts.isStatic`, read once: the facts are a struct of dictionaries, copied on every read.
    let isStatic: Bool

    private var sites: [MHSite] = []
    private var siteByAddress: [Address: Int] = [:]
    private var result = MHChainResult()
    /// Single-site steps per sweep: the latent count when the phase (warm-up, sampling) begins.
    private var sweepLength = 0
    /// The block move interleaved with single-site steps (`proposal: .adaptiveBlock`).
    private var block: AdaptiveBlockProposal?

    init(model: M, settings: MetropolisHastings, chainIndex: Int, predictor: Predictor<M.Trace>?) {
        self.model = model
        self.settings = settings
        self.chainIndex = chainIndex
        self.predictor = predictor
        self.isStatic = model.facts.isStatic
    }

    consuming func run() -> MHChainResult {
        var rng = RandomStream(seed: settings.seed, stream: UInt64(chainIndex))
        var predictiveRng = rng.split(1)
        do throws(ModelError) {
            var trace = try initialTrace(using: &rng)
            let warmup = settings.warmup ?? settings.samples
            // A sweep's length is fixed per phase: were it the current latent count, draws would
            // be kept more often (per step) in states with fewer latents, biasing them.
            sweepLength = trace.latentCount
            if settings.proposal == .adaptiveBlock && isStatic {
                block = AdaptiveBlockProposal(trace, initialStepSize: settings.initialStepSize, fault: settings.blockFault)
            }
            result.blockUsed = settings.proposal != .adaptiveBlock || block != nil
            // Σ is re-estimated at the end of windows of warm-up (the first forgets the start), then frozen.
            let windowEnds: Set<Int> = [warmup / 10, warmup / 4, warmup / 2, (3 * warmup) / 4]
            let clock = ContinuousClock()
            let warmupStart = clock.now
            for w in 0..<warmup {
                if Task.isCancelled { result.cancelled = true; break }
                _ = try sweep(&trace, adapting: true, using: &rng)
                if windowEnds.contains(w + 1) { block?.closeWindow() }
            }
            result.warmupSeconds = seconds(clock.now - warmupStart)
            sweepLength = trace.latentCount
            result.columns.reserve(draws: settings.samples)
            let samplingStart = clock.now
            defer {
                // Moving the last rows of draws into their columns is part of keeping the draws.
                result.columns.finish()
                result.samplingSeconds = seconds(clock.now - samplingStart)
            }
            if !result.cancelled {
                drawing: for _ in 0..<settings.samples {
                    var acceptSum = 0.0
                    var acceptCount = 0
                    for _ in 0..<settings.thin {
                        if Task.isCancelled { result.cancelled = true; break drawing }
                        let (sum, count) = try sweep(&trace, adapting: false, using: &rng)
                        result.samplingSteps += sweepLength
                        acceptSum += sum
                        acceptCount += count
                    }
                    try record(trace, acceptStatistic: acceptCount > 0 ? acceptSum / Double(acceptCount) : .nan,
                               predictiveRng: &predictiveRng)
                }
            }
        } catch {
            result.error = error
        }
        result.columns.finish()
        result.logLikelihood.finish()
        result.predictive.finish()
        result.sites = sites
        result.blockProposed = block?.proposed ?? 0
        result.blockAccepted = block?.accepted ?? 0
        return result
    }

    private func seconds(_ duration: Duration) -> Double {
        let (whole, fraction) = duration.components
        return Double(whole) + Double(fraction) * 1e-18
    }

    // MARK: - Initialisation

    private func initialTrace(using rng: inout RandomStream) throws(ModelError) -> M.Trace {
        try ChainStart.initialTrace(model, inits: settings.inits, attempts: settings.initAttempts, engine: "mh",
                                    chain: chainIndex, using: &rng)
    }

    // MARK: - Sweeps and single-site steps

    /// One sweep; returns the sum of acceptance probabilities and the number of proposals.
    private mutating func sweep(_ trace: inout M.Trace, adapting: Bool,
                                using rng: inout RandomStream) throws(ModelError) -> (Double, Int) {
        var sum = 0.0
        var count = 0
        for _ in 0..<sweepLength where trace.latentCount > 0 {
            if let probability = try step(&trace, adapting: adapting, using: &rng) {
                sum += probability
                count += 1
            }
            if block != nil {
                sum += try blockStep(&trace, adapting: adapting, using: &rng)
                count += 1
            }
        }
        return (sum, count)
    }

    /// One move of the whole block; returns its acceptance probability.
    private mutating func blockStep(_ trace: inout M.Trace, adapting: Bool,
                                    using rng: inout RandomStream) throws(ModelError) -> Double {
        guard var moving = block else { return 0 }
        block = nil  // so that `moving` owns its arrays and mutates them in place
        defer { block = moving }
        do throws(ModelError) {
            return try moving.step(model, &trace, adapting: adapting, using: &rng).probability
        } catch {
            guard MHChain.rejects(error) else { throw error }
            noteModelRejection(error)
            return 0
        }
    }

    /// The adaptation state of latent `index`: by position in static models (the address is built
    /// only the first time), by address otherwise.
    private mutating func site(for index: Int, in trace: M.Trace) -> Int {
        if isStatic {
            // Each site gets its own address, whichever index a random scan meets first.
            while sites.count <= index {
                sites.append(MHSite(address: trace.latent(sites.count).address, logStepSize: log(settings.initialStepSize)))
            }
            return index
        }
        let address = trace.latent(index).address
        if let s = siteByAddress[address] { return s }
        siteByAddress[address] = sites.count
        sites.append(MHSite(address: address, logStepSize: log(settings.initialStepSize)))
        return sites.count - 1
    }

    /// Model errors at a proposed value (a parameter out of range, a NaN) reject the proposal, as in Stan.
    private static func rejects(_ error: ModelError) -> Bool {
        switch error.kind {
        case .badParameter, .notFinite, .divisionByZero: true
        default: false
        }
    }

    /// One single-site update; returns its acceptance probability, or nil when nothing was proposed.
    /// Inlined into the sweep so that the trace type's witness tables are looked up once per sweep.
    @inline(__always)
    private mutating func step(_ trace: inout M.Trace, adapting: Bool,
                               using rng: inout RandomStream) throws(ModelError) -> Double? {
        let count = trace.latentCount
        let index = rng.index(below: count)
        let (value, support) = trace.latentValueAndSupport(index)
        let s = site(for: index, in: trace)
        let outcome: SiteProposal.Outcome = settings.proposal == .prior
            ? (support.isPoint ? .skip : .fromPrior)
            : SiteProposal.propose(value, in: support, stepSize: sites[s].stepSize, fault: settings.fault, using: &rng)
        let probability: Double
        let accepted: Bool
        switch outcome {
        case .skip:
            return nil
        case .fromPrior:
            (probability, accepted) = try priorStep(&trace, index: index, record: trace.latent(index), using: &rng)
        case .move(let move):
            (probability, accepted) = try randomWalkStep(&trace, index: index, move: move, using: &rng)
            if adapting && move.usesStepSize {
                // Robbins-Monro on log s towards the target rate, with gain k^-0.6 (Andrieu & Thoms 2008).
                sites[s].adaptations += 1
                let gain = pow(Double(sites[s].adaptations), -0.6)
                sites[s].logStepSize = min(12, max(-20, sites[s].logStepSize + gain * (probability - move.targetAcceptance)))
            }
        }
        if !adapting {
            sites[s].proposed += 1
            if accepted { sites[s].accepted += 1 }
        }
        return probability
    }


    private mutating func noteModelRejection(_ error: ModelError) {
        result.modelRejections += 1
        if result.firstModelRejection == nil { result.firstModelRejection = error.description }
    }

    @inline(__always)
    private mutating func randomWalkStep(_ trace: inout M.Trace, index: Int, move: SiteProposal.Move,
                                         using rng: inout RandomStream) throws(ModelError) -> (Double, Bool) {
        guard move.logHastings > -.infinity else { return (0, false) }
        do throws(ModelError) {
            let logAlpha: Double
            let accepted: Bool
            if isStatic {
                // The number of latents cannot change: the model decides and reverts in one call.
                let logHastings = move.logHastings
                let (logWeight, kept) = try model.update(&trace, latent: index, to: move.value,
                                                         keepIf: { MetropolisAcceptance.accept($0 + logHastings, using: &$1) }, using: &rng)
                (logAlpha, accepted) = (logWeight + logHastings, kept)
            } else {
                (logAlpha, accepted) = try transdimensionalStep(&trace, index: index, move: move, using: &rng)
            }
            return (MetropolisAcceptance.probability(logAlpha), accepted)
        } catch {
            guard MHChain.rejects(error) else { throw error }
            noteModelRejection(error)
            return (0, false)
        }
    }

    /// A random-walk step where the number of latents may change, adding log N - log N' to log α;
    /// returns log α and whether the move was kept. Apart from the static path, so that the hot
    /// loop never instantiates `TraceUpdate<M.Undo>`'s metadata.
    @inline(never)
    private func transdimensionalStep(_ trace: inout M.Trace, index: Int, move: SiteProposal.Move,
                                      using rng: inout RandomStream) throws(ModelError) -> (Double, Bool) {
        let count = trace.latentCount
        let update = try model.update(&trace, latent: index, to: move.value, using: &rng)
        var logAlpha = update.logWeight + move.logHastings
        if settings.fault != .noSelectionCorrection {
            logAlpha += log(Double(count)) - log(Double(trace.latentCount))
        }
        let accepted = MetropolisAcceptance.accept(logAlpha, using: &rng)
        if !accepted { model.revert(&trace, update) }
        return (logAlpha, accepted)
    }

    /// Regenerates one latent from its prior given the others, through `Model.generate`.
    ///
    /// α = p(t') / p(t) · p(x | ·) / p(x' | ·) · (fresh and lost choices' priors) · N / N'.
    private mutating func priorStep(_ trace: inout M.Trace, index: Int, record: ChoiceRecord,
                                    using rng: inout RandomStream) throws(ModelError) -> (Double, Bool) {
        let proposal: (trace: M.Trace, logAlpha: Double)?
        do throws(ModelError) {
            proposal = try PriorRegeneration.propose(model, from: trace, index: index, record: record,
                                                     fixedStructure: isStatic, using: &rng)
        } catch {
            guard MHChain.rejects(error) else { throw error }
            noteModelRejection(error)
            return (0, false)
        }
        guard let proposal else { return (0, false) }
        let accepted = MetropolisAcceptance.accept(proposal.logAlpha, using: &rng)
        if accepted { trace = proposal.trace }
        return (MetropolisAcceptance.probability(proposal.logAlpha), accepted)
    }

    // MARK: - Recording

    private mutating func record(_ trace: M.Trace, acceptStatistic: Double,
                                 predictiveRng: inout RandomStream) throws(ModelError) {
        result.columns.beginDraw()
        result.columns.setLatents(of: trace, samePositions: isStatic)
        let reported = trace.reported
        for (address, value) in reported.deterministic { result.columns.set(address, value, kind: 1) }
        if let value = reported.returnValue { result.columns.set(Address("return"), value, kind: 2) }
        result.logJoint.append(trace.logJoint)
        result.acceptStatistic.append(acceptStatistic)
        if settings.pointwiseLogLikelihood {
            result.logLikelihood.beginDraw()
            for r in trace.observations { result.logLikelihood.set(r.address, .real(r.logDensity), kind: 0) }
        }
        if let predictor {
            result.predictive.beginDraw()
            for (address, value) in try predictor.draw(trace, &predictiveRng) {
                result.predictive.set(address, value, kind: 0)
            }
        }
    }
}

/// The Metropolis accept/reject decision; outside the generic chain, so that calling it (from a
/// closure in the hot loop) needs no generic metadata.
enum MetropolisAcceptance {
    /// min(1, exp(log α)), 0 for NaN; no exponential when log α >= 0.
    static func probability(_ logAlpha: Double) -> Double {
        if logAlpha.isNaN { return 0 }
        return logAlpha >= 0 ? 1 : exp(logAlpha)
    }

    /// Accepts with probability min(1, exp(log α)); a uniform is drawn only when log α < 0.
    static func accept(_ logAlpha: Double, using rng: inout RandomStream) -> Bool {
        if logAlpha.isNaN { return false }
        return logAlpha >= 0 || log(rng.uniformPositive()) < logAlpha
    }
}

extension Support {
    var isPoint: Bool { if case .point = self { true } else { false } }
}

/// Per-site state of one chain (outside the generic chain so the hot loop needs no generic metadata).
struct MHSite: Sendable {
    var address: Address
    var logStepSize: Double { didSet { stepSize = exp(logStepSize) } }
    /// exp(logStepSize), kept so that a step after warm-up computes no exponential.
    private(set) var stepSize: Double
    var adaptations = 0
    var accepted = 0
    var proposed = 0

    init(address: Address, logStepSize: Double) {
        self.address = address
        self.logStepSize = logStepSize
        self.stepSize = exp(logStepSize)
    }
}

/// What one chain returns.
struct MHChainResult: Sendable {
    var columns = ColumnStore()
    var logLikelihood = ColumnStore()
    var predictive = ColumnStore()
    var logJoint: [Double] = []
    var acceptStatistic: [Double] = []
    var sites: [MHSite] = []
    /// Proposals rejected because the model raised an error at the proposed value.
    var modelRejections = 0
    var firstModelRejection: String?
    var cancelled = false
    var error: ModelError?
    /// Wall-clock seconds of warm-up and of sampling (draws kept included), and single-site steps taken while sampling.
    var warmupSeconds = 0.0
    var samplingSeconds = 0.0
    var samplingSteps = 0
    /// Block moves made and accepted (warm-up included), and whether the requested block could be used.
    var blockProposed = 0
    var blockAccepted = 0
    var blockUsed = true
}
