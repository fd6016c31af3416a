import PPLDistributions

/// A model written directly in Swift, run through the same `Model` interface as `.ppl` programs.
///
/// ```swift
/// let coin = SwiftModel(isStatic: true) { ctx in
///     let p = try ctx.sample("p", Normal(mu: 0, sigma: 1))
///     for (i, y) in data.enumerated() {
///         try ctx.observe(Normal(mu: p, sigma: 1), y, at: Address("y").appending(index: i))
///     }
/// }
/// ```
///
/// Every operation re-executes the body from the start with some choices fixed, so
/// `update` costs a whole run (the VM instead re-scores only the Markov blanket of a
/// static program) and advancing a particle through T observations costs O(T^2) in
/// total: fine for tests and small apps, not for long time series. For programs with
/// stochastic control flow `update` follows Wingate et al. (2011): choices that appear
/// are drawn from their priors and their prior densities leave the ratio.
public struct SwiftModel: Model {
    public typealias Body = @Sendable (SwiftModelContext) throws -> Void

    let body: Body
    public let facts: ModelFacts

    /// - Parameters:
    ///   - isStatic: the user's promise that every run makes the same choices at the same addresses.
    ///   - hasObservations: whether the body observes data or adds factors.
    public init(isStatic: Bool = false, hasObservations: Bool = true, _ body: @escaping Body) {
        self.body = body
        self.facts = ModelFacts(isStatic: isStatic, hasObservations: hasObservations)
    }

    public typealias Trace = SwiftTrace
    public typealias Undo = SwiftTrace

    /// A particle: the latent choices made so far and how many observations it has passed.
    public struct Particle: Sendable {
        var fixed: [Address: Value] = [:]
        var observationsPassed = 0
        var finished = false
        var deterministic: [(Address, Value)] = []
        var returnValue: Value?
    }

    /// Runs the body; `StopSignal` ends it early and is not an error.
    private func execute(_ context: SwiftModelContext) throws(ModelError) -> (stopped: Bool, branch: BranchSignal?) {
        do {
            try body(context)
            return (false, nil)
        } catch let stop as StopSignal {
            _ = stop
            return (true, nil)
        } catch let branch as BranchSignal {
            return (true, branch)
        } catch let error as ModelError {
            throw error
        } catch let error as DistributionError {
            let after = context.trace.latents.last.map { " (after the choice '\($0.address)' at \($0.location))" } ?? ""
            throw ModelError(.badParameter(error), error.description + after)
        } catch {
            throw ModelError(.other, "the model body threw: \(error)")
        }
    }

    private func run(fixed: [Address: Value], missing: SwiftModelContext.Missing,
                     using rng: inout RandomStream, stopAfter: Int? = nil,
                     stepStart: Int = 0, predicting: Bool = false) throws(ModelError) -> (SwiftModelContext, stopped: Bool) {
        let result: Result<(SwiftModelContext, Bool), ModelError> = withUnsafeMutablePointer(to: &rng) { pointer in
            let context = SwiftModelContext(fixed: fixed, missing: missing, rng: pointer,
                                            stopAfterObservations: stopAfter, stepStartObservations: stepStart)
            context.predictsObservations = predicting
            do throws(ModelError) {
                let (stopped, _) = try execute(context)
                return .success((context, stopped))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    public func simulate(using rng: inout RandomStream) throws(ModelError) -> SwiftTrace {
        try run(fixed: [:], missing: .draw, using: &rng).0.trace
    }

    public func generate(constraints: [Address: Value], using rng: inout RandomStream) throws(ModelError) -> SwiftTrace {
        try run(fixed: constraints, missing: .draw, using: &rng).0.trace
    }

    public func assess(_ choices: [Address: Value]) throws(ModelError) -> Double {
        let context = SwiftModelContext(fixed: choices, missing: .fail, rng: nil)
        _ = try execute(context)
        return context.trace.logJoint
    }

    public func update(_ trace: inout SwiftTrace, latent index: Int, to value: Value,
                       using rng: inout RandomStream) throws(ModelError) -> TraceUpdate<SwiftTrace> {
        guard trace.latents.indices.contains(index) else {
            throw ModelError(.indexOutOfRange, "update of latent \(index), but the trace has \(trace.latentCount) latent choices")
        }
        var fixed = trace.choices
        fixed[trace.latents[index].address] = value
        let (context, _) = try run(fixed: fixed, missing: .draw, using: &rng)
        let new = context.trace
        let old = trace
        var logWeight: Double
        if new.logJoint == -.infinity {
            logWeight = -.infinity
        } else {
            logWeight = new.logJoint - old.logJoint - context.freshLogPrior
            // Every new choice was either fixed from the old trace or fresh; with no fresh
            // choice and equal counts the address sets agree and nothing disappeared.
            if context.freshCount > 0 || new.latentCount != old.latentCount {
                for choice in old.latents where new.indexByAddress[choice.address] == nil {
                    logWeight += choice.logDensity
                }
            }
        }
        trace = new
        return TraceUpdate(logWeight: logWeight, undo: old)
    }

    public func revert(_ trace: inout SwiftTrace, _ update: TraceUpdate<SwiftTrace>) {
        trace = update.undo
    }

    public func makeParticle() -> Particle { Particle() }

    /// Re-executes from the start with the particle's choices fixed up to its next observation.
    public func advance(_ particle: inout Particle, using rng: inout RandomStream) throws(ModelError) -> ParticleStep {
        if particle.finished {
            return ParticleStep(logWeight: 0, choices: [], observationLocation: nil, finished: true)
        }
        let passed = particle.observationsPassed
        let (context, stopped) = try run(fixed: particle.fixed, missing: .draw, using: &rng,
                                         stopAfter: passed + 1, stepStart: passed)
        let first = context.stepFirstLatent ?? context.trace.latents.count
        let made = context.trace.latents[first...]
        for choice in made { particle.fixed[choice.address] = choice.value }
        if stopped {
            particle.observationsPassed = passed + 1
        } else {
            particle.finished = true
            particle.deterministic = context.trace.deterministic
            particle.returnValue = context.trace.returnValue
        }
        return ParticleStep(logWeight: context.stepLogWeight, choices: made.map(\.record),
                            observationLocation: stopped ? context.lastObservationLocation : nil,
                            finished: !stopped)
    }

    public func finalState(of particle: Particle) -> (deterministic: [(Address, Value)], returnValue: Value?) {
        (particle.deterministic, particle.returnValue)
    }

    public func replay(fixing choices: [Address: Value], throughObservations count: Int,
                       using rng: inout RandomStream) throws(ModelError) -> (particle: Particle, logJoint: Double, choices: [ChoiceRecord]) {
        if count <= 0 { return (Particle(), 0, []) }
        let (context, stopped) = try run(fixed: choices, missing: .draw, using: &rng, stopAfter: count)
        var particle = Particle()
        for choice in context.trace.latents { particle.fixed[choice.address] = choice.value }
        particle.observationsPassed = context.observationCount
        if !stopped {
            particle.finished = true
            particle.deterministic = context.trace.deterministic
            particle.returnValue = context.trace.returnValue
        }
        return (particle, context.trace.logJoint, context.trace.latents.map(\.record))
    }

    public func explore(fixing choices: [Address: Value]) throws(ModelError) -> Exploration<SwiftTrace> {
        let context = SwiftModelContext(fixed: choices, missing: .branch, rng: nil)
        let (_, branch) = try execute(context)
        if let branch { return .branch(branch.address, branch.values) }
        return .complete(context.trace)
    }
}

extension SwiftModel: PredictiveModel {
    /// Re-runs with the trace's latents fixed, drawing each observation from its distribution.
    public func predictObservations(_ trace: SwiftTrace, using rng: inout RandomStream) throws(ModelError) -> [(Address, Value)] {
        try run(fixed: trace.choices, missing: .draw, using: &rng, predicting: true).0.predicted
    }
}
