import Foundation
import PPLDistributions
import PPLInference

/// Runs one block of a `VMPopulation` from where its particles stand to their next observation
/// or the end: instructions that write a column run over the block's particles, the others once
/// on the block's representative state (the registers every particle shares).
struct BlockLanes {
    let population: VMPopulation
    let block: Int
    /// The block's first particle and its number of particles.
    let lo: Int
    let count: Int
    let state: UnsafeMutablePointer<VMState>
    let program: CompiledProgram
    let plan: PopulationPlan
    let function: CompiledFunction
    let code: FunctionCode
    /// The register returned, once the program ends.
    var returned: Reg?
    /// The run context of calls (functions that make no choice), made at the first one.
    var callContext: RunContext?
    /// Rows chosen per particle (`transition[z[t - 1]]`) in this step, by register: the array's
    /// rows as values and each particle's row.
    var rows: [Int32: (values: [Value], chosen: [Int])] = [:]

    init(population: VMPopulation, block: Int, lo: Int, count: Int, state: UnsafeMutablePointer<VMState>) {
        self.population = population
        self.block = block
        self.lo = lo
        self.count = count
        self.state = state
        program = population.program
        plan = population.plan
        function = program.functions[program.entry]
        code = program.hotCode[program.entry]
    }

    // MARK: Registers over the block

    @inline(__always) func realColumn(_ r: Int32) -> UnsafeMutablePointer<Double>? {
        let c = plan.realColumn[Int(r)]
        return c < 0 ? nil : population.reals + c * population.count + lo
    }

    @inline(__always) func intColumn(_ r: Int32) -> UnsafeMutablePointer<Int>? {
        let c = plan.intColumn[Int(r)]
        return c < 0 ? nil : population.ints + c * population.count + lo
    }

    @inline(__always) func objectColumn(_ r: Int32) -> UnsafeMutablePointer<Obj>? {
        let c = plan.objectColumn[Int(r)]
        return c < 0 ? nil : population.objects + c * population.count + lo
    }

    @inline(__always) func real(_ r: Int32) -> RealLanes {
        let column = realColumn(r)
        return RealLanes(column: column, intColumn: nil, value: column == nil ? state.pointee.reals[Int(r)] : 0)
    }

    @inline(__always) func real(_ r: Reg) -> RealLanes {
        switch r.file {
        case .real: return real(r.index)
        case .int:
            let column = intColumn(r.index)
            return RealLanes(column: nil, intColumn: column, value: column == nil ? Double(state.pointee.ints[Int(r.index)]) : 0)
        case .object: return RealLanes(column: nil, intColumn: nil, value: 0)
        }
    }

    @inline(__always) func int(_ r: Int32) -> IntLanes {
        let column = intColumn(r)
        return IntLanes(column: column, value: column == nil ? state.pointee.ints[Int(r)] : 0)
    }

    /// A register the plan made a column (the instruction writes one); anything else is our bug.
    @inline(__always) func realOut(_ r: Int32) throws(ModelError) -> UnsafeMutablePointer<Double> {
        guard let column = realColumn(r) else { throw Self.notAColumn(r) }
        return column
    }

    @inline(__always) func intOut(_ r: Int32) throws(ModelError) -> UnsafeMutablePointer<Int> {
        guard let column = intColumn(r) else { throw Self.notAColumn(r) }
        return column
    }

    static func notAColumn(_ r: Int32) -> ModelError {
        ModelError(.other, "internal error: register \(r) is written over a population but has no column")
    }

    /// The state particle j of the block would have: the representative with j's columns.
    func particleState(_ j: Int) -> VMState {
        var s = state.pointee
        for (r, c) in plan.realColumn.enumerated() where c >= 0 { s.reals[r] = population.reals[c * population.count + lo + j] }
        for (r, c) in plan.intColumn.enumerated() where c >= 0 { s.ints[r] = population.ints[c * population.count + lo + j] }
        for (r, c) in plan.objectColumn.enumerated() where c >= 0 { s.objects[r] = population.objects[c * population.count + lo + j] }
        return s
    }

    /// The error the one-particle executor gives particle j at this instruction.
    func failure(_ j: Int, _ instruction: Code, _ pc: Int) -> ModelError {
        var s = particleState(j)
        do {
            try program.executePure(instruction, &s, 0, 0, 0, program.entry, 0)
        } catch {
            return program.withStatementAddress(error, function, pc + 1, &s, 0, 0)
        }
        return ModelError(.other, "internal error: instruction \(pc) failed for particle \(lo + j) in columns but not alone")
    }

    // MARK: The run

    /// Runs to the next observation (its global site and the pc after it) or to the end (-1).
    mutating func run(logWeights: UnsafeMutablePointer<Double>, rng: inout RandomStream) throws(ModelError) -> (observation: Int, pc: Int) {
        var pc = Int(state.pointee.frames[0].pc)
        var ordinal = 0
        let instructions = code.code
        while true {
            let instruction = instructions[pc]
            switch instruction {
            case .site(let k) where function.sites[Int(k)].kind == .sample:
                try sample(Int(k), ordinal, rng: &rng)
                ordinal += 1
            case .site(let k):
                // An observation or a factor: every particle stops after it.
                let global = try observe(Int(k), logWeights)
                state.pointee.frames[0].pc = Int32(pc + 1)
                return (global, pc + 1)
            case .load(let k):
                try load(Int(k))
            case .indexO(let d, let a, let i, _) where plan.rowSource[d] != nil:
                try row(d, a, i, instruction, pc)
            case .gather(let k):
                // Arrays only returned are read from memory at the end.
                if plan.modes[pc] == .perParticle { try gather(Int(k)) }
            case .report(let k):
                report(Int(k))
            case .call(let k):
                try call(Int(k), pc, rng: &rng)
            case .ret(let r):
                state.pointee.finished = true
                returned = r
                return (-1, pc)
            case .jump(let target):
                pc = Int(target)
                continue
            case .jumpIfFalse(let c, let target):
                if let region = plan.regions[pc] {
                    try branch(region, pc)
                    pc = region.join
                    continue
                }
                if state.pointee.ints[Int(c)] == 0 { pc = Int(target); continue }
            case .forCheck(let a, let b, let target):
                if state.pointee.ints[Int(a)] >= state.pointee.ints[Int(b)] { pc = Int(target); continue }
            case .forNext(let a, let target):
                state.pointee.ints[Int(a)] += 1
                pc = Int(target)
                continue
            case .whileCount(let a, let bound, let loc):
                state.pointee.ints[Int(a)] += 1
                if state.pointee.ints[Int(a)] > bound {
                    throw program.error(.other, "'while' loop ran more than its bound of \(bound) iterations",
                                        location: function.locations[Int(loc)], prefix: nil)
                }
            default:
                switch plan.modes[pc] {
                case .lanes:
                    try lanes(instruction, pc)
                case .perParticle:
                    try perParticle(instruction, pc)
                case .uniform:
                    do { try program.executePure(instruction, &state.pointee, 0, 0, 0, program.entry, 0) } catch {
                        throw program.withStatementAddress(error, function, pc + 1, &state.pointee, 0, 0)
                    }
                }
            }
            pc += 1
        }
    }

    /// A call of a function that makes no choice (the plan checks), through the one-particle
    /// executor: once for the block when no argument is random, else particle by particle, each
    /// from the block's call count. `rng` is only passed along: nothing is drawn.
    mutating func call(_ k: Int, _ pc: Int, rng: inout RandomStream) throws(ModelError) {
        var context: RunContext
        if let kept = callContext {
            context = kept
        } else {
            context = RunContext(trace: VMTrace(program: program, arguments: population.arguments))
            context.recording = false
            context.returnDepth = 1
        }
        defer { callContext = context }
        guard plan.modes[pc] == .perParticle, let (reads, writes) = plan.perParticleOperands[pc] else {
            state.pointee.frames[0].pc = Int32(pc)
            try program.run(&state.pointee, &context, &rng)
            return
        }
        let counter = Int(function.calls[k].counter)
        var s = state.pointee
        for j in 0..<count {
            for r in reads { loadColumn(r, j, into: &s) }
            s.ints[counter] = state.pointee.ints[counter]
            s.frames[0].pc = Int32(pc)
            try program.run(&s, &context, &rng)
            for r in writes { storeColumn(r, j, from: s) }
        }
        state.pointee.ints[counter] = s.ints[counter]
    }

    /// A branch on a random value around code that only computes: each particle runs the region
    /// its own way through the one-particle code, from its own columns.
    func branch(_ region: PopulationPlan.BranchRegion, _ start: Int) throws(ModelError) {
        let instructions = code.code
        var s = state.pointee
        var memory = MemoryReads(lanes: self)
        for j in 0..<count {
            for r in region.reads { loadColumn(r, j, into: &s) }
            var pc = start
            while pc < region.join {
                switch instructions[pc] {
                case .jumpIfFalse(let c, let target): pc = s.ints[Int(c)] == 0 ? Int(target) : pc + 1
                case .jump(let target): pc = Int(target)
                case .load(let k):
                    try memory.read(function.loads[Int(k)], particle: j, into: &s)
                    pc += 1
                case let instruction:
                    do { try program.executePure(instruction, &s, 0, 0, 0, program.entry, 0) } catch {
                        throw program.withStatementAddress(error, function, pc + 1, &s, 0, 0)
                    }
                    pc += 1
                }
            }
            for r in region.writes { storeColumn(r, j, from: s) }
        }
    }

    /// Memory reads of single particles (inside a branch each particle takes its own way): the
    /// particle's value at the key its registers give, through its ancestors.
    struct MemoryReads {
        let lanes: BlockLanes
        struct Source { var values: UnsafeMutablePointer<Double>; var generation: Int; var own: Bool; var instance: Int }
        /// Columns looked up so far, by slot and key.
        var known: [Int: [Int: Source]] = [:]

        mutating func read(_ spec: LoadSpec, particle j: Int, into s: inout VMState) throws(ModelError) {
            let program = lanes.program, population = lanes.population
            let key = try program.memoryKey(spec.indexRegisters, &s, 0, location: spec.location, prefix: nil, nameID: spec.nameID)
            let source: Source
            if let found = known[spec.memorySlot]?[key] {
                source = found
            } else {
                let column = population.memory.column(slot: spec.memorySlot, key: key)
                if let column, column.writtenStep[lanes.block] == population.step, let pending = column.pending {
                    source = Source(values: pending, generation: population.generation, own: true, instance: column.pendingInstance)
                } else if let column, let committed = column.committed {
                    source = Source(values: committed, generation: column.committedGeneration, own: false,
                                    instance: column.committedInstance)
                } else {
                    let address = Address([.name(program.names[spec.nameID])] + spec.indexRegisters.map { .index(s.ints[Int($0)]) })
                    throw program.error(.indexOutOfRange, "'\(address)' is read before it is drawn", location: spec.location,
                                        prefix: nil, address: address)
                }
                known[spec.memorySlot, default: [:]][key] = source
            }
            let i = lanes.lo + j
            let x = source.values[source.own ? i : population.origin(of: i, in: source.generation)]
            switch spec.destination.file {
            case .real: s.reals[Int(spec.destination.index)] = x
            default: s.ints[Int(spec.destination.index)] = Int(x)
            }
            s.ints[Int(spec.instanceRegister)] = source.instance
        }
    }

    /// An instruction on random arrays, particle by particle through the one-particle code: a
    /// scratch state (the representative) gets the particle's columns the instruction reads, and
    /// the registers it writes go back to the particle's columns.
    func perParticle(_ instruction: Code, _ pc: Int) throws(ModelError) {
        guard let (reads, writes) = plan.perParticleOperands[pc] else {
            throw ModelError(.other, "internal error: instruction \(pc) has no operands for particle-by-particle runs")
        }
        var s = state.pointee
        for j in 0..<count {
            for r in reads { loadColumn(r, j, into: &s) }
            do { try program.executePure(instruction, &s, 0, 0, 0, program.entry, 0) } catch {
                throw program.withStatementAddress(error, function, pc + 1, &s, 0, 0)
            }
            for r in writes { storeColumn(r, j, from: s) }
        }
    }

    /// Particle j's value of column register r, into a state.
    @inline(__always) func loadColumn(_ r: RegisterRef, _ j: Int, into s: inout VMState) {
        // The plan lists only columns here.
        switch r.file {
        case .real: if let column = realColumn(r.index) { s.reals[Int(r.index)] = column[j] }
        case .int: if let column = intColumn(r.index) { s.ints[Int(r.index)] = column[j] }
        case .object: if let column = objectColumn(r.index) { s.objects[Int(r.index)] = column[j] }
        }
    }

    @inline(__always) func storeColumn(_ r: RegisterRef, _ j: Int, from s: VMState) {
        switch r.file {
        case .real: realColumn(r.index)?[j] = s.reals[Int(r.index)]
        case .int: intColumn(r.index)?[j] = s.ints[Int(r.index)]
        case .object: objectColumn(r.index)?[j] = s.objects[Int(r.index)]
        }
    }

    /// A gathered array used otherwise than returned (`mu + tau * eta`): each particle's values of
    /// the slot's keys 0, 1, 2, ..., through its ancestors, as an array in its column.
    func gather(_ k: Int) throws(ModelError) {
        let spec = function.gathers[k]
        var sources: [(values: UnsafeMutablePointer<Double>, generation: Int, own: Bool)] = []
        while let column = population.memory.column(slot: spec.memorySlot, key: sources.count) {
            if column.writtenStep[block] == population.step, let pending = column.pending {
                sources.append((pending, population.generation, true))
            } else if let committed = column.committed {
                sources.append((committed, column.committedGeneration, false))
            } else {
                break
            }
        }
        guard let out = objectColumn(spec.destination.index) else { throw Self.notAColumn(spec.destination.index) }
        for j in 0..<count {
            let values = sources.map { source in
                source.values[source.own ? lo + j : population.origin(of: lo + j, in: source.generation)]
            }
            out[j] = spec.elementType == .real ? .reals(values) : .ints(values.map { Int($0) })
        }
    }

    /// A latent choice drawn for every particle from its prior, into its column, memory and the step's choices.
    mutating func sample(_ k: Int, _ ordinal: Int, rng: inout RandomStream) throws(ModelError) {
        let hot = code.hotSites[k]
        let spec = function.sites[k]
        let n = Int(hot.argumentCount)
        let a0 = n > 0 ? real(hot.a0) : RealLanes(column: nil, intColumn: nil, value: 0)
        let a1 = n > 1 ? real(hot.a1) : RealLanes(column: nil, intColumn: nil, value: 0)
        let a2 = n > 2 ? real(hot.a2) : RealLanes(column: nil, intColumn: nil, value: 0)
        // One index is its own key; several are paired into one, as memory keys them.
        let index = hot.indexCount == 1 ? state.pointee.ints[Int(hot.index0)]
            : hot.indexCount > 1 ? try program.memoryKey(spec.indexRegisters, &state.pointee, 0, location: spec.location,
                                                         prefix: nil, nameID: spec.nameID)
            : 0
        let instance = state.pointee.instanceCount
        var memoryValues: UnsafeMutablePointer<Double>?
        if hot.memorySlot >= 0 {
            if index < 0 {
                _ = try program.memoryKeySlow(spec.indexRegisters, &state.pointee, 0, location: spec.location,
                                              prefix: nil, nameID: spec.nameID)
            }
            let column = population.memory.pendingColumn(slot: Int(hot.memorySlot), key: index,
                                                         step: population.step, instance: instance)
            column.writtenStep[block] = population.step
            guard let pending = column.pending else { throw ModelError(.other, "internal error: memory column without a pending buffer") }
            memoryValues = pending + lo
        }
        let key = ChoiceKey(site: hot.global, index: index)
        let choices = population.events.column(ordinal, key: key, memory: memoryValues.map { $0 - lo }) + lo
        let realOut = hot.value.file == .real ? try realOut(hot.value.index) : nil
        let intOut = hot.value.file == .int ? try intOut(hot.value.index) : nil
        func badParameter(_ j: Int, _ error: DistributionError) -> ModelError {
            var s = particleState(j)
            return ModelError(.badParameter(error), error.description, location: spec.location,
                              address: program.currentAddress(spec, &s, 0, 0))
        }
        if case .generic(let family) = spec.family {
            // Array parameters: an instance per particle (per row when only a row differs).
            var distributions = try GenericLanes(self, spec, family)
            for j in 0..<count {
                let d = try distributions.instance(j)
                let v = d.sample(using: &rng)
                let logDensity = d.logDensity(v)
                guard let x = v.asReal, !logDensity.isNaN else {
                    var s = particleState(j)
                    let address = program.currentAddress(spec, &s, 0, 0)
                    if logDensity.isNaN {
                        throw ModelError(.notFinite, "log density of '\(address)' is not a number", location: spec.location, address: address)
                    }
                    throw program.badValue(v, spec, &s, 0, 0)
                }
                choices[j] = x
                realOut?[j] = x
                intOut?[j] = Int(x)
            }
        } else if hot.family == .normal {
            // The commonest family without the enum's dispatch: the same draws. A normal draw from
            // valid parameters is finite, so its log density (not needed here) is a number.
            for j in 0..<count {
                let d: Normal
                do { d = try Normal(mu: a0[j], sigma: a1[j]) } catch { throw badParameter(j, error) }
                let x = d.sample(using: &rng)
                choices[j] = x
                realOut?[j] = x
            }
        } else if let id = hot.family {
            for j in 0..<count {
                let d: ScalarDistribution
                do { d = try ScalarDistribution.make(id, a0[j], a1[j], a2[j]) } catch { throw badParameter(j, error) }
                let x = d.sample(using: &rng)
                if d.logDensity(x).isNaN {
                    var s = particleState(j)
                    let address = program.currentAddress(spec, &s, 0, 0)
                    throw ModelError(.notFinite, "log density of '\(address)' is not a number", location: spec.location, address: address)
                }
                choices[j] = x
                realOut?[j] = x
                intOut?[j] = Int(x)
            }
        }
        if let memoryValues, memoryValues != choices {
            for j in 0..<count { memoryValues[j] = choices[j] }
        }
        state.pointee.ints[Int(hot.lastInstance)] = instance
        state.pointee.instanceCount = instance + 1
    }

    /// An observation scored for every particle, its log density added to the particle's weight
    /// (a factor's value, for a factor).
    func observe(_ k: Int, _ logWeights: UnsafeMutablePointer<Double>) throws(ModelError) -> Int {
        let hot = code.hotSites[k]
        let spec = function.sites[k]
        defer {
            state.pointee.observationsPassed += 1
            state.pointee.instanceCount += 1
        }
        if spec.kind == .factor {
            let weight = real(spec.value)
            for j in 0..<count {
                let w = weight[j]
                if w.isNaN { throw ModelError(.notFinite, "factor weight is not a number", location: spec.location, address: nil) }
                logWeights[j] += w
            }
            return Int(hot.global)
        }
        if case .generic(let family) = spec.family {
            var distributions = try GenericLanes(self, spec, family)
            let observed = ArgumentLanes(self, spec.value)
            for j in 0..<count {
                let logDensity = try distributions.instance(j).logDensity(observed[j])
                if logDensity.isNaN {
                    var s = particleState(j)
                    let address = program.currentAddress(spec, &s, 0, 0)
                    throw ModelError(.notFinite, "log density of observation '\(address)' is not a number", location: spec.location, address: address)
                }
                logWeights[j] += logDensity
            }
            return Int(hot.global)
        }
        guard let id = hot.family else { throw ModelError(.other, "internal error: site \(k) is not scalar") }
        let n = Int(hot.argumentCount)
        let a0 = n > 0 ? real(hot.a0) : RealLanes(column: nil, intColumn: nil, value: 0)
        let a1 = n > 1 ? real(hot.a1) : RealLanes(column: nil, intColumn: nil, value: 0)
        let a2 = n > 2 ? real(hot.a2) : RealLanes(column: nil, intColumn: nil, value: 0)
        let observed = real(hot.value)
        func failure(_ j: Int, _ error: DistributionError?) -> ModelError {
            var s = particleState(j)
            let address = program.currentAddress(spec, &s, 0, 0)
            if let error { return ModelError(.badParameter(error), error.description, location: spec.location, address: address) }
            return ModelError(.notFinite, "log density of '\(address)' is not a number", location: spec.location, address: address)
        }
        if id == .normal && a1.isUniform {
            // One sigma for all: checked once, its logarithm taken once.
            let sigma = a1.value
            do { _ = try Normal(mu: 0, sigma: sigma) } catch { throw failure(0, error) }
            let logSigma = log(sigma)
            for j in 0..<count {
                let mu = a0[j]
                guard mu.isFinite else {
                    do { _ = try Normal(mu: mu, sigma: sigma) } catch { throw failure(j, error) }
                    throw failure(j, nil)
                }
                logWeights[j] += Normal.logDensity(observed[j], mu: mu, sigma: sigma, logSigma: logSigma)
            }
        } else {
            for j in 0..<count {
                let d: ScalarDistribution
                do { d = try ScalarDistribution.make(id, a0[j], a1[j], a2[j]) } catch { throw failure(j, error) }
                let logDensity = d.logDensity(observed[j])
                if logDensity.isNaN { throw failure(j, nil) }
                logWeights[j] += logDensity
            }
        }
        return Int(hot.global)
    }

    /// A reported quantity: its address and, when it may differ between particles, each one's value.
    func report(_ k: Int) {
        let spec = function.reports[k]
        let ordinal = population.reportCounts[block]
        population.reportCounts[block] = ordinal + 1
        let r = spec.value
        let objects = r.file == .object ? objectColumn(r.index) : nil
        let isColumn = (r.file == .real && plan.realColumn[Int(r.index)] >= 0) || (r.file == .int && plan.intColumn[Int(r.index)] >= 0)
            || objects != nil
        let entry = population.reports.entry(ordinal) {
            var components = program.prefixComponents(nil)
            for part in spec.address {
                switch part {
                case .name(let id): components.append(.name(program.names[id]))
                case .index(let i): components.append(.index(state.pointee.ints[Int(i)]))
                }
            }
            return PopulationReport(address: Address(components), type: program.type(of: r),
                                    uniform: isColumn ? nil : program.value(of: r, state.pointee, 0, 0, 0),
                                    count: population.count, generation: population.generation, holdsArrays: objects != nil)
        }
        if let objects, let arrays = entry.arrays {
            for j in 0..<count { arrays[lo + j] = objects[j] }
            return
        }
        guard let values = entry.values else { return }
        let x = real(r)
        for j in 0..<count { values[lo + j] = x[j] }
    }

    /// A memory read (`x[t - 1]`) for every particle, through its ancestors when drawn in an earlier generation.
    func load(_ k: Int) throws(ModelError) {
        let spec = function.loads[k]
        if spec.indexRegisters.count == 1, let keys = intColumn(spec.indexRegisters[0]) {
            return try loadByParticle(spec, keys)
        }
        let key = try program.memoryKey(spec.indexRegisters, &state.pointee, 0, location: spec.location,
                                        prefix: nil, nameID: spec.nameID)
        let column = population.memory.column(slot: spec.memorySlot, key: key)
        let values: UnsafeMutablePointer<Double>, generation: Int, instance: Int
        if let column, column.writtenStep[block] == population.step, let pending = column.pending {
            (values, generation, instance) = (pending, population.generation, column.pendingInstance)
        } else if let column, let committed = column.committed {
            (values, generation, instance) = (committed, column.committedGeneration, column.committedInstance)
        } else {
            let address = Address([.name(program.names[spec.nameID])] + spec.indexRegisters.map { .index(state.pointee.ints[Int($0)]) })
            throw program.error(.indexOutOfRange, "'\(address)' is read before it is drawn", location: spec.location,
                                prefix: nil, address: address)
        }
        if block == 0, let column { population.memory.noteRead(column, step: population.step) }
        switch spec.destination.file {
        case .real:
            let out = try realOut(spec.destination.index)
            population.read(values, drawnIn: generation, lo: lo, n: count) { j, x in out[j] = x }
        default:
            let out = try intOut(spec.destination.index)
            population.read(values, drawnIn: generation, lo: lo, n: count) { j, x in out[j] = Int(x) }
        }
        state.pointee.ints[Int(spec.instanceRegister)] = instance
    }

    /// A memory read whose key differs between particles (`mu[z[i]]`): each particle's column,
    /// through its ancestors. The instance register gets the first particle's instance: it only
    /// serves re-scoring, which populations do not do.
    func loadByParticle(_ spec: LoadSpec, _ keys: UnsafeMutablePointer<Int>) throws(ModelError) {
        var columns: [Int: (values: UnsafeMutablePointer<Double>, generation: Int, instance: Int)] = [:]
        for j in 0..<count where columns[keys[j]] == nil {
            var s = particleState(j)
            let key = try program.memoryKey(spec.indexRegisters, &s, 0, location: spec.location, prefix: nil, nameID: spec.nameID)
            let column = population.memory.column(slot: spec.memorySlot, key: key)
            if let column, column.writtenStep[block] == population.step, let pending = column.pending {
                columns[key] = (pending, population.generation, column.pendingInstance)
            } else if let column, let committed = column.committed {
                columns[key] = (committed, column.committedGeneration, column.committedInstance)
            } else {
                let address = Address([.name(program.names[spec.nameID]), .index(key)])
                throw program.error(.indexOutOfRange, "'\(address)' is read before it is drawn", location: spec.location,
                                    prefix: nil, address: address)
            }
            if block == 0, let column { population.memory.noteRead(column, step: population.step) }
        }
        let realOut = spec.destination.file == .real ? try realOut(spec.destination.index) : nil
        let intOut = spec.destination.file == .int ? try intOut(spec.destination.index) : nil
        for j in 0..<count {
            // Every particle's key was looked up above.
            guard let (values, generation, _) = columns[keys[j]] else { continue }
            let x = values[population.origin(of: lo + j, in: generation)]
            realOut?[j] = x
            intOut?[j] = Int(x)
        }
        state.pointee.ints[Int(spec.instanceRegister)] = columns[keys[0]]?.instance ?? 0
    }

    /// A row of an array the same for every particle, chosen per particle (`transition[z[t - 1]]`).
    mutating func row(_ d: Int32, _ a: Int32, _ i: Int32, _ instruction: Code, _ pc: Int) throws(ModelError) {
        let source = state.pointee.objects[Int(a)]
        let index = int(i)
        var chosen = [Int](repeating: 0, count: count)
        for j in 0..<count {
            guard index[j] >= 0 && index[j] < source.count else { throw failure(j, instruction, pc) }
            chosen[j] = index[j]
        }
        func plain(_ o: Obj) -> Value {
            switch o {
            case .none: .array([])
            case .reals(let xs): .array(xs.map(Value.real))
            case .ints(let xs): .array(xs.map(Value.int))
            case .nested(let xs): .array(xs.map(plain))
            case .matrix(let m): .matrix(m)
            }
        }
        let values: [Value]
        switch source {
        case .nested(let items): values = items.map(plain)
        case .matrix(let m):
            values = (0..<m.rows).map { r in .array(m.elements[(r * m.columns)..<((r + 1) * m.columns)].map(Value.real)) }
        default: throw failure(0, instruction, pc)
        }
        rows[d] = (values, chosen)
    }
}
