import PPLDistributions
import PPLInference
import PPLIR

/// An IR program as a `Model`: the VM runs it for every engine.
///
/// Static programs update one choice by re-scoring only the choices and observations that
/// read it (its Markov blanket, found per choice instance when the trace is first updated);
/// other programs re-execute with every other choice reused (Wingate et al. 2011).
public struct VMModel: Model {
    public typealias Trace = VMTrace
    public typealias Particle = VMState
    public typealias Undo = VMUndo

    let program: CompiledProgram
    let arguments: BoundArguments
    public let facts: ModelFacts
    /// Whether updates re-score locally (static, and every site's parameters can be re-evaluated alone).
    let localUpdates: Bool
    /// Negative control for tests: the population reads memory in place, ignoring the ancestry.
    var populationIgnoresAncestry = false

    /// Compiles the module's entry function bound to these arguments, in parameter order.
    public init(module: Module, arguments: [Value]) throws(ModelError) {
        var module = module
        if module.facts.isStatic == nil {
            do { try StaticStructure().run(&module) } catch { throw ModelError(.other, "\(error)") }
        }
        let program: CompiledProgram
        do { program = try CompiledProgram(module) } catch { throw ModelError(.other, "internal error: \(error.description)") }
        let entry = program.functions[program.entry]
        guard arguments.count == entry.parameters.count else {
            throw ModelError(.other, "model '\(module.entry)' takes \(entry.parameters.count) arguments, got \(arguments.count)")
        }
        var objects: [Obj?] = []
        var scalars: [Double] = []
        let names = module.entryFunction?.parameters.map(\.name) ?? []
        for (k, (p, v)) in zip(entry.parameters, arguments).enumerated() {
            switch p.file {
            case .object:
                guard let o = toObj(v, type: program.type(of: p)) else {
                    throw ModelError(.other, "argument '\(names[k])' must be \(program.type(of: p)), got \(v)")
                }
                objects.append(o)
                scalars.append(0)
            case .real:
                guard let x = v.asReal else { throw ModelError(.other, "argument '\(names[k])' must be Real, got \(v)") }
                objects.append(nil)
                scalars.append(x)
            case .int:
                guard let n = v.asInt else { throw ModelError(.other, "argument '\(names[k])' must be \(program.type(of: p)), got \(v)") }
                objects.append(nil)
                scalars.append(Double(n))
            }
        }
        self.program = program
        self.arguments = BoundArguments(objects: objects, scalars: scalars)
        let isStatic = module.facts.isStatic ?? false
        var facts = ModelFacts(isStatic: isStatic, hasObservations: program.sites.contains { $0.kind != .sample })
        // What `recognise-conjugacy` found, for the Gibbs engine.
        facts.fixedAddresses = module.facts.fixedAddresses
        for fact in module.facts.conjugacy ?? [] where fact.isConjugate { facts.conjugatePriors[fact.site] = fact.prior }
        facts.bradleyTerry = BradleyTerryBinding.bind(module.facts.bradleyTerry,
                                                      arguments: Dictionary(zip(names, arguments), uniquingKeysWith: { a, _ in a }))
        self.facts = facts
        self.localUpdates = isStatic && program.rescoringSupported
    }

    /// Binds arguments by parameter name; a missing one is an error naming it.
    public init(module: Module, bindings: [String: Value]) throws(ModelError) {
        guard let entry = module.entryFunction else { throw ModelError(.other, "no model named '\(module.entry)'") }
        var arguments: [Value] = []
        for p in entry.parameters {
            guard let v = bindings[p.name] else { throw ModelError(.other, "no value for model parameter '\(p.name)'") }
            arguments.append(v)
        }
        try self.init(module: module, arguments: arguments)
    }

    func start() -> VMState { program.initialState(arguments: arguments.objects, scalars: arguments.scalars) }

    func keys(_ choices: [Address: Value]) -> [AddressKey: Value] {
        var out: [AddressKey: Value] = [:]
        for (a, v) in choices { if let k = program.key(of: a) { out[k] = v } }
        return out
    }

    func finish(_ s: VMState, _ ctx: RunContext) -> VMTrace {
        var trace = ctx.trace
        trace.storedReturnValue = s.returnValue
        return trace
    }

    public func simulate(using rng: inout RandomStream) throws(ModelError) -> VMTrace {
        var s = start()
        var ctx = RunContext(trace: VMTrace(program: program, arguments: arguments))
        try program.run(&s, &ctx, &rng)
        return finish(s, ctx)
    }

    public func generate(constraints: [Address: Value], using rng: inout RandomStream) throws(ModelError) -> VMTrace {
        var s = start()
        var ctx = RunContext(trace: VMTrace(program: program, arguments: arguments))
        ctx.constraints = keys(constraints)
        try program.run(&s, &ctx, &rng)
        return finish(s, ctx)
    }

    public func assess(_ choices: [Address: Value]) throws(ModelError) -> Double {
        var s = start()
        var ctx = RunContext(trace: VMTrace(program: program, arguments: arguments))
        ctx.constraints = keys(choices)
        ctx.requireConstraints = true
        var rng = RandomStream(seed: 0)
        try program.run(&s, &ctx, &rng)
        if ctx.constraintsUsed < choices.count {
            let made = Set(ctx.trace.latentInstances.map { ctx.trace.key(of: Int($0)) })
            for a in choices.keys.sorted() where program.key(of: a).map({ !made.contains($0) }) ?? true {
                throw ModelError(.other, "'\(a)' is not a latent choice of this model run", address: a)
            }
        }
        return ctx.trace.logJoint
    }

    public func update(_ trace: inout VMTrace, latent index: Int, to value: Value,
                       using rng: inout RandomStream) throws(ModelError) -> TraceUpdate<VMUndo> {
        if localUpdates {
            var undo = LocalUndo()
            if let logWeight = try program.updateLocally(&trace, latent: index, to: value, undo: &undo) {
                return TraceUpdate(logWeight: logWeight, undo: .local(undo))
            }
        }
        let instance = Int(trace.latentInstances[index])
        var constraints = trace.latentChoices()
        constraints[trace.key(of: instance)] = value
        var s = start()
        var ctx = RunContext(trace: VMTrace(program: program, arguments: arguments))
        ctx.constraints = constraints
        try program.run(&s, &ctx, &rng)
        let fresh = finish(s, ctx)
        let kept = Set(fresh.latentInstances.map { fresh.key(of: Int($0)) })
        var vanished = 0.0
        for i in trace.latentInstances where !kept.contains(trace.key(of: Int(i))) {
            vanished += trace.instances[Int(i)].logDensity
        }
        let logWeight = fresh.logJoint - trace.logJoint - ctx.freshLogPrior + vanished
        let old = trace
        trace = fresh
        return TraceUpdate(logWeight: logWeight, undo: .replaced(old))
    }

    /// MH's inner step; a local update's undo stays in this frame instead of travelling in a `TraceUpdate`.
    public func update(_ trace: inout VMTrace, latent index: Int, to value: Value,
                       keepIf keep: (_ logWeight: Double, _ rng: inout RandomStream) -> Bool,
                       using rng: inout RandomStream) throws(ModelError) -> (logWeight: Double, kept: Bool) {
        if localUpdates {
            var undo = LocalUndo()
            if let logWeight = try program.updateLocally(&trace, latent: index, to: value, undo: &undo) {
                let kept = keep(logWeight, &rng)
                if !kept { program.revertLocally(&trace, undo) }
                return (logWeight, kept)
            }
        }
        let update = try self.update(&trace, latent: index, to: value, using: &rng)
        let kept = keep(update.logWeight, &rng)
        if !kept { revert(&trace, update) }
        return (update.logWeight, kept)
    }

    public func revert(_ trace: inout VMTrace, _ update: TraceUpdate<VMUndo>) {
        switch update.undo {
        case .replaced(let old): trace = old
        case .local(let undo): program.revertLocally(&trace, undo)
        }
    }

    public func chooseValue(_ trace: inout VMTrace, latent index: Int, among values: [Value],
                            choosing choose: (_ logWeights: [Double]) -> Int?,
                            using rng: inout RandomStream) throws(ModelError) {
        if localUpdates, index >= 0, index < trace.latentCount,
           try program.chooseLocally(&trace, latent: index, among: values, choosing: choose) {
            return
        }
        try chooseValueByUpdates(&trace, latent: index, among: values, choosing: choose, using: &rng)
    }

    public func makeParticle() -> VMState { start() }

    public func advance(_ particle: inout VMState, using rng: inout RandomStream) throws(ModelError) -> ParticleStep {
        var step = StepRecorder()
        try advance(&particle, recording: &step, using: &rng)
        return ParticleStep(logWeight: step.logWeight, choices: step.choiceRecords(describe),
                            observationLocation: observationLocation(step.observation), finished: step.finished)
    }

    /// Runs the particle to its next observation with a run context kept in the recorder
    /// between calls, so that a step allocates and reference-counts nothing in the steady state.
    public func advance(_ particle: inout VMState, recording step: inout StepRecorder,
                        using rng: inout RandomStream) throws(ModelError) {
        if particle.finished { step.finished = true; return }
        let context: ParticleContext
        if let kept = step.modelContext as? ParticleContext, kept.program === program {
            context = kept
        } else {
            context = ParticleContext(program, RunContext(trace: VMTrace(program: program, arguments: arguments)))
            step.modelContext = context
        }
        swap(&context.run.step, &step)
        defer { swap(&context.run.step, &step) }
        try context.advance(&particle, &rng)
    }

    /// Advances a block of particles in lockstep where they stand at the same instruction
    /// (`CompiledProgram.advanceBlock`), one at a time where they do not.
    public func advance(_ particles: UnsafeMutablePointer<VMState>, range: Range<Int>, finished: [Bool],
                        recording step: inout StepRecorder, using rng: inout RandomStream,
                        deliver: (Int, inout StepRecorder) -> Void) throws(ModelError) {
        let context: BlockContext
        if let kept = step.modelContext as? BlockContext, kept.program === program {
            context = kept
        } else {
            context = BlockContext(program, ParticleContext(program, RunContext(trace: VMTrace(program: program, arguments: arguments))))
            step.modelContext = context
        }
        try program.advanceBlock(particles, range: range, finished: finished, context: context, step: &step, rng: &rng, deliver: deliver)
    }

    /// The particles as one population in columns (`VMPopulation`) when every particle runs the
    /// same instructions (`PopulationPlan`); nil otherwise, and SMC advances particles.
    public func makePopulation(particles: Int, blockSize: Int) -> (any ParticlePopulation)? {
        guard particles > 0, blockSize > 0, case .success(let plan) = PopulationPlan.make(program) else { return nil }
        return VMPopulation(program: program, plan: plan, start: start(), arguments: arguments,
                            count: particles, blockSize: blockSize, ignoresAncestry: populationIgnoresAncestry)
    }

    /// Why `makePopulation` gives nil for this program (nil when it gives a population).
    public var populationUnsupportedReason: String? { PopulationPlan.reason(program) }

    public func describe(_ key: ChoiceKey) -> ChoiceDescription {
        let site = program.sites[Int(key.site)]
        let kind: ChoiceDescription.Kind = switch site.drawType {
        case .int: .int
        case .bool: .bool
        default: .real
        }
        let indexCount = program.functions[site.function].sites[site.local].indexRegisters.count
        let indices = indexCount > 1 ? Self.unpair(key.index, count: indexCount) : [key.index]
        return ChoiceDescription(address: program.address(site: Int(key.site), prefix: nil, indices: indices, start: 0),
                                 support: site.fixedSupport ?? .real, kind: kind)
    }

    /// The `count` indices whose memory key (`CompiledProgram.memoryKeySlow`'s Szudzik pairing,
    /// folded from the left) is `key`.
    static func unpair(_ key: Int, count: Int) -> [Int] {
        var indices = [Int](repeating: 0, count: count)
        var rest = key
        for k in stride(from: count - 1, to: 0, by: -1) {
            var root = Int(Double(rest).squareRoot())
            while root * root > rest { root -= 1 }
            while (root + 1) * (root + 1) <= rest { root += 1 }
            let remainder = rest - root * root
            // rest = b² + a with a < b, or a² + a + b with a >= b.
            if remainder < root {
                (rest, indices[k]) = (remainder, root)
            } else {
                (rest, indices[k]) = (root, remainder - root)
            }
        }
        indices[0] = rest
        return indices
    }

    public func observationLocation(_ observation: Int) -> String? {
        observation >= 0 && observation < program.sites.count ? program.sites[observation].location : nil
    }

    public func copy(_ source: borrowing VMState, into destination: inout VMState) {
        let from = copy source
        withUnsafePointer(to: from) { destination.assign(from: $0) }
    }

    public func copyParticles(from source: UnsafePointer<VMState>, ancestors: [Int], range: Range<Int>,
                              into destination: UnsafeMutablePointer<VMState>) {
        // Through pointers: passing `source[a]` by value would copy the whole state first.
        for j in range where source + ancestors[j] != UnsafePointer(destination + j) {
            (destination + j).pointee.assign(from: source + ancestors[j])
        }
    }

    public func finalState(of particle: VMState) -> (deterministic: [(Address, Value)], returnValue: Value?) {
        var reports: [(Address, Value)] = []
        var node = particle.reports
        while let n = node {
            reports.append((n.address, n.value))
            node = n.parent
        }
        return (reports.reversed(), particle.returnValue)
    }

    public func replay(fixing choices: [Address: Value], throughObservations count: Int,
                       using rng: inout RandomStream) throws(ModelError) -> (particle: VMState, logJoint: Double, choices: [ChoiceRecord]) {
        var s = start()
        if count <= 0 { return (s, 0, []) }
        var ctx = RunContext(trace: VMTrace(program: program, arguments: arguments))
        ctx.recording = false
        ctx.collectStepChoices = true
        ctx.constraints = keys(choices)
        ctx.stopAtObservationCount = count
        try program.run(&s, &ctx, &rng)
        return (s, ctx.trace.logJoint, ctx.step.choiceRecords(describe))
    }

    public func explore(fixing choices: [Address: Value]) throws(ModelError) -> Exploration<VMTrace> {
        var s = start()
        var ctx = RunContext(trace: VMTrace(program: program, arguments: arguments))
        ctx.constraints = keys(choices)
        ctx.exploring = true
        var rng = RandomStream(seed: 0)
        try program.run(&s, &ctx, &rng)
        if let (address, values) = ctx.branch { return .branch(address, values) }
        return .complete(finish(s, ctx))
    }
}

/// How to undo an update: the replaced trace, or the few densities a local update changed.
public enum VMUndo: Sendable {
    indirect case replaced(VMTrace)
    case local(LocalUndo)
}

extension CompiledProgram {
    /// Reports and return value of a trace whose choices changed in place, by re-running with them fixed.
    func recomputeDeterministic(_ trace: VMTrace) throws(ModelError) -> (deterministic: [(Address, Value)], returnValue: Value?) {
        var s = initialState(arguments: trace.arguments.objects, scalars: trace.arguments.scalars)
        var ctx = RunContext(trace: VMTrace(program: self, arguments: trace.arguments))
        ctx.constraints = trace.latentChoices()
        ctx.requireConstraints = true
        var rng = RandomStream(seed: 0)
        try run(&s, &ctx, &rng)
        return (ctx.trace.reports, s.returnValue)
    }
}

/// The run context a block's particles share from one `advance` to the next, kept in the
/// engine's `StepRecorder`; only the task advancing that block touches it.
final class ParticleContext: @unchecked Sendable {
    let program: CompiledProgram
    /// Only the task advancing the recorder's block touches it, so run-time exclusivity checks are pure cost.
    @exclusivity(unchecked) var run: RunContext

    init(_ program: CompiledProgram, _ run: RunContext) {
        self.program = program
        self.run = run
        self.run.recording = false
        self.run.stopAfterObservation = true
        self.run.collectStepChoices = true
    }

    func advance(_ particle: inout VMState, _ rng: inout RandomStream) throws(ModelError) {
        run.stepLogWeight = 0
        run.lastObservationSite = -1
        try program.run(&particle, &run, &rng)
        run.step.logWeight = run.stepLogWeight
        run.step.finished = particle.finished
        run.step.observation = particle.finished ? -1 : run.lastObservationSite
    }
}
