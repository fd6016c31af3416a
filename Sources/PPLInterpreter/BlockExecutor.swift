import PPLDistributions
import PPLInference

/// What a block of particles shares from one lockstep step to the next: the per-particle run
/// context for the fallback, each particle's recorder, and the group's registers as columns.
///
/// Kept in the engine's `StepRecorder.modelContext`; only the task advancing that block touches
/// it, so run-time exclusivity checks are pure cost.
final class BlockContext: @unchecked Sendable {
    let program: CompiledProgram
    let single: ParticleContext
    /// By position in the block: what a particle's step recorded once it left the group.
    @exclusivity(unchecked) var recorders: [StepRecorder] = []
    /// By position in the block: whether the particle ran alone after (or instead of) the group.
    let ranAlone = Slab<Bool>()
    /// By position in the block: its place in the group, -1 if none.
    let lane = Slab<Int>()
    /// The group's choices, one event per lockstep sample: event e of member j at e·G + j.
    let eventKeys = Slab<ChoiceKey>()
    let eventValues = Slab<Double>()
    let eventLogDensities = Slab<Double>()
    var eventCount = 0
    /// Particle-steps the group brought to their stop, choices it drew, times it left its members
    /// to run alone, and particle-steps run alone (tests check that both paths ran).
    var groupStops = 0, groupDraws = 0, groupFallbacks = 0, aloneRuns = 0
    let stepLogWeights = Slab<Double>()
    let lastObservation = Slab<Int>()
    /// By position in the block: the lockstep group brought the particle to its stop.
    let stopped = Slab<Bool>()
    @exclusivity(unchecked) var members: [Int] = []
    let scratch = Slab<Double>()
    /// Registers of the group's members, column by column: register r of member j at r·G + j.
    private(set) var reals: UnsafeMutablePointer<Double>
    private(set) var ints: UnsafeMutablePointer<Int>
    private var realCapacity = 0, intCapacity = 0
    /// Per column: 0 not gathered, 1 gathered, 2 written (scattered back at the end).
    @exclusivity(unchecked) var realFlags: [UInt8] = []
    @exclusivity(unchecked) var intFlags: [UInt8] = []

    init(_ program: CompiledProgram, _ single: ParticleContext) {
        self.program = program
        self.single = single
        reals = .allocate(capacity: 0)
        ints = .allocate(capacity: 0)
    }

    deinit {
        reals.deallocate()
        ints.deallocate()
    }

    /// Room for `group` members' registers.
    func reserve(group: Int, realCount: Int, intCount: Int) {
        let stride = Lanes.stride(group)
        if stride * realCount > realCapacity {
            reals.deallocate()
            realCapacity = stride * realCount
            reals = .allocate(capacity: realCapacity)
            reals.initialize(repeating: 0, count: realCapacity)
        }
        if stride * intCount > intCapacity {
            ints.deallocate()
            intCapacity = stride * intCount
            ints = .allocate(capacity: intCapacity)
            ints.initialize(repeating: 0, count: intCapacity)
        }
        realFlags = [UInt8](repeating: 0, count: max(1, realCount))
        intFlags = [UInt8](repeating: 0, count: max(1, intCount))
        eventCount = 0
        scratch.reserve(group, 0)
    }
}

/// A buffer of trivial values (numbers, flags, keys) a `BlockContext` owns, read and written
/// without copy-on-write checks: the lockstep loops touch them once per particle per step.
final class Slab<Element>: @unchecked Sendable {
    @exclusivity(unchecked) private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0

    init() { base = .allocate(capacity: 1) }

    deinit { base.deallocate() }

    /// At least `count` elements, all set to `fill`.
    func reserve(_ count: Int, _ fill: Element) {
        if count > self.count {
            base.deallocate()
            base = .allocate(capacity: count)
            self.count = count
        }
        base.initialize(repeating: fill, count: self.count)
    }

    /// At least `count` elements, keeping the existing ones and setting new ones to `fill`.
    func grow(to count: Int, _ fill: Element) {
        guard count > self.count else { return }
        let capacity = max(count, 2 * self.count)
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity)
        larger.moveInitialize(from: base, count: self.count)
        (larger + self.count).initialize(repeating: fill, count: capacity - self.count)
        base.deallocate()
        base = larger
        self.count = capacity
    }

    subscript(index: Int) -> Element {
        @inline(__always) get { base[index] }
        @inline(__always) set { base[index] = newValue }
    }
}

/// The lockstep group's registers as columns over the states of its members (structure of
/// arrays): a column is gathered from the members' own registers when first read, and the
/// columns written are written back when the group stops.
struct Lanes {
    let count: Int
    let members: UnsafePointer<Int>
    let states: UnsafeMutablePointer<VMState>
    let reals: UnsafeMutablePointer<Double>
    let ints: UnsafeMutablePointer<Int>
    /// Per column: 0 not gathered, 1 gathered, 2 written.
    let realFlags: UnsafeMutablePointer<UInt8>
    let intFlags: UnsafeMutablePointer<UInt8>

    /// Elements between columns: the group size padded off multiples of 4 KiB, since columns
    /// 4 KiB apart alias in the L1 cache and a member's registers would evict one another.
    var stride: Int { Lanes.stride(count) }
    static func stride(_ count: Int) -> Int { (count + 7) / 8 * 8 + 8 }

    @inline(__always) func real(_ r: Int32) -> UnsafeMutablePointer<Double> {
        let column = reals + Int(r) * stride
        if realFlags[Int(r)] == 0 {
            for j in 0..<count { column[j] = states[members[j]].reals[Int(r)] }
            realFlags[Int(r)] = 1
        }
        return column
    }

    @inline(__always) func int(_ r: Int32) -> UnsafeMutablePointer<Int> {
        let column = ints + Int(r) * stride
        if intFlags[Int(r)] == 0 {
            for j in 0..<count { column[j] = states[members[j]].ints[Int(r)] }
            intFlags[Int(r)] = 1
        }
        return column
    }

    /// A column the instruction writes for every member without reading it. Should the group
    /// stop partway through the instruction, members not yet written get back whatever the
    /// column held, which the one-particle executor overwrites when it re-runs the instruction.
    @inline(__always) func realOut(_ r: Int32) -> UnsafeMutablePointer<Double> {
        realFlags[Int(r)] = 2
        return reals + Int(r) * stride
    }

    @inline(__always) func intOut(_ r: Int32) -> UnsafeMutablePointer<Int> {
        intFlags[Int(r)] = 2
        return ints + Int(r) * stride
    }

    /// A column read, then written.
    @inline(__always) func intInOut(_ r: Int32) -> UnsafeMutablePointer<Int> {
        let column = int(r)
        intFlags[Int(r)] = 2
        return column
    }

    /// A real operand, from whichever register file holds it.
    @inline(__always) func realValue(_ j: Int, _ realColumn: UnsafeMutablePointer<Double>?,
                                     _ intColumn: UnsafeMutablePointer<Int>?) -> Double {
        if let realColumn { return realColumn[j] }
        if let intColumn { return Double(intColumn[j]) }
        return 0
    }

    /// Writes every written column back into the members' registers, one member at a time.
    func scatter(realCount: Int, intCount: Int) {
        var dirtyReals: [Int] = [], dirtyInts: [Int] = []
        for r in 0..<realCount where realFlags[r] == 2 { dirtyReals.append(r) }
        for r in 0..<intCount where intFlags[r] == 2 { dirtyInts.append(r) }
        guard !dirtyReals.isEmpty || !dirtyInts.isEmpty else { return }
        let stride = self.stride
        for j in 0..<count {
            let m = members[j]
            if !dirtyReals.isEmpty {
                states[m].reals.withUnsafeMutableBufferPointer { target in
                    for r in dirtyReals { target[r] = reals[r * stride + j] }
                }
            }
            if !dirtyInts.isEmpty {
                states[m].ints.withUnsafeMutableBufferPointer { target in
                    for r in dirtyInts { target[r] = ints[r * stride + j] }
                }
            }
        }
    }
}

extension CompiledProgram {
    /// Advances the unfinished particles of `range` to their next observation, running the
    /// largest set of particles that stand at the same program counter of the entry function
    /// (the group; the first particle's when it holds at least half) one instruction at a time
    /// over the whole group, with the group's registers
    /// as columns (structure of arrays). Whatever the group cannot run together (particles that
    /// branch apart, calls, array operations, anything that may fail) is left to the one-particle
    /// executor, from where the group stopped, particle by particle in block order.
    ///
    /// Random numbers come from the block's one stream: the group draws site by site, member by
    /// member, then the rest draw particle by particle, so a particle that draws twice in a step
    /// draws in another order than when particles run one by one (reproducible all the same, and
    /// independent of the number of threads, since blocks and their streams are fixed).
    func advanceBlock(_ states: UnsafeMutablePointer<VMState>, range: Range<Int>, finished: [Bool],
                      context: BlockContext, step: inout StepRecorder, rng: inout RandomStream,
                      deliver: (Int, inout StepRecorder) -> Void) throws(ModelError) {
        let count = range.count
        if context.recorders.count != count {
            context.recorders = [StepRecorder](repeating: StepRecorder(), count: count)
            context.stepLogWeights.reserve(count, 0)
            context.lastObservation.reserve(count, -1)
            context.stopped.reserve(count, false)
            context.ranAlone.reserve(count, false)
            context.lane.reserve(count, -1)
        }
        // The group: particles in the entry function alone, at the pc most of them stand at
        // (the first one's, unless a branch split the block last step).
        context.members.removeAll(keepingCapacity: true)
        context.eventCount = 0
        var groupPC: Int32 = -1
        var eligible = 0, atFirst = 0
        for i in range where !finished[i] {
            let l = i - range.lowerBound
            context.stepLogWeights[l] = 0
            context.lastObservation[l] = -1
            context.stopped[l] = false
            context.ranAlone[l] = false
            context.lane[l] = -1
            guard !states[i].finished, states[i].frames.count == 1 else { continue }
            eligible += 1
            if groupPC < 0 { groupPC = states[i].frames[0].pc }
            if states[i].frames[0].pc == groupPC { atFirst += 1 }
        }
        if 2 * atFirst < eligible {
            var counts: [Int32: Int] = [:]
            for i in range where !finished[i] && !states[i].finished && states[i].frames.count == 1 {
                counts[states[i].frames[0].pc, default: 0] += 1
            }
            // Ties go to the smaller pc, so the choice does not depend on the dictionary's order.
            groupPC = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? groupPC
        }
        for i in range where !finished[i] && !states[i].finished && states[i].frames.count == 1 {
            if states[i].frames[0].pc == groupPC {
                context.lane[i - range.lowerBound] = context.members.count
                context.members.append(i)
            }
        }
        if context.members.count >= 2 {
            try lockstep(states, base: range.lowerBound, pc: Int(groupPC), context: context, rng: &rng)
        } else {
            for i in context.members { context.lane[i - range.lowerBound] = -1 }
        }
        // Everyone the group did not bring to a stop, one at a time, continuing its step.
        let single = context.single
        for i in range where !finished[i] {
            let l = i - range.lowerBound
            guard !context.stopped[l], !states[i].finished else { continue }
            context.ranAlone[l] = true
            context.aloneRuns += 1
            context.recorders[l].reset()
            swap(&single.run.step, &context.recorders[l])
            single.run.stepLogWeight = context.stepLogWeights[l]
            single.run.lastObservationSite = context.lastObservation[l]
            do {
                try run(&states[i], &single.run, &rng)
            } catch {
                swap(&single.run.step, &context.recorders[l])
                throw error
            }
            context.stepLogWeights[l] = single.run.stepLogWeight
            context.lastObservation[l] = single.run.lastObservationSite
            swap(&single.run.step, &context.recorders[l])
        }
        // Each particle's step: the group's choices (in its lane), then those it made alone.
        let g = context.members.count, events = context.eventCount
        for i in range where !finished[i] {
            let l = i - range.lowerBound
            step.reset()
            let j = context.lane[l]
            if j >= 0 {
                for e in 0..<events {
                    step.record(context.eventKeys[e * g + j], value: context.eventValues[e * g + j],
                                logDensity: context.eventLogDensities[e * g + j])
                }
            }
            if context.ranAlone[l] {
                let alone = context.recorders[l]
                for k in 0..<alone.count {
                    if alone.key(k).site < 0 {
                        step.record(alone.records[alone.key(k).index])
                    } else {
                        step.record(alone.key(k), value: alone.value(k), logDensity: alone.logDensity(k))
                    }
                }
            }
            step.logWeight = context.stepLogWeights[l]
            step.finished = states[i].finished
            step.observation = states[i].finished ? -1 : context.lastObservation[l]
            deliver(i, &step)
        }
    }

    /// Runs the group from `pc` one instruction over all members at a time, until an observation
    /// stops every member (marked `stopped`) or an instruction the group cannot run together
    /// leaves the members at that instruction for the one-particle executor.
    func lockstep(_ states: UnsafeMutablePointer<VMState>, base: Int, pc start: Int, context: BlockContext,
                  rng: inout RandomStream) throws(ModelError) {
        let f = functions[entry]
        let code = hotCode[entry]
        let g = context.members.count
        context.reserve(group: g, realCount: f.realCount, intCount: f.intCount)
        var pc = start
        var stoppedAll = false
        try context.members.withUnsafeBufferPointer { memberBuffer throws(ModelError) in
            guard let members = memberBuffer.baseAddress else { return }
            try context.realFlags.withUnsafeMutableBufferPointer { realFlags throws(ModelError) in
                try context.intFlags.withUnsafeMutableBufferPointer { intFlags throws(ModelError) in
                    guard let realFlags = realFlags.baseAddress, let intFlags = intFlags.baseAddress else { return }
                    let lanes = Lanes(count: g, members: members, states: states, reals: context.reals, ints: context.ints,
                                      realFlags: realFlags, intFlags: intFlags)
                    defer { lanes.scatter(realCount: f.realCount, intCount: f.intCount) }
                    stoppedAll = try runLanes(lanes, code, f, &pc, base: base, context: context, rng: &rng)
                }
            }
        }
        for j in 0..<g {
            let m = context.members[j]
            states[m].frames[0].pc = Int32(stoppedAll ? pc + 1 : pc)
            if stoppedAll { context.stopped[m - base] = true }
        }
        if stoppedAll { context.groupStops += g } else { context.groupFallbacks += 1 }
    }

    /// The lockstep loop; returns true when an observation stopped every member at `pc`, false
    /// when the members must continue one by one from `pc` (not yet executed).
    private func runLanes(_ lanes: Lanes, _ code: FunctionCode, _ f: CompiledFunction, _ pc: inout Int,
                          base: Int, context: BlockContext, rng: inout RandomStream) throws(ModelError) -> Bool {
        let g = lanes.count
        let states = lanes.states, members = lanes.members
        while true {
            let instruction = code.code[pc]
            switch instruction {
            case .constR(let d, let x):
                let out = lanes.realOut(d)
                for j in 0..<g { out[j] = x }
            case .constI(let d, let n):
                let out = lanes.intOut(d)
                for j in 0..<g { out[j] = n }
            case .movR(let d, let a):
                let x = lanes.real(a), out = lanes.realOut(d)
                for j in 0..<g { out[j] = x[j] }
            case .movI(let d, let a):
                let x = lanes.int(a), out = lanes.intOut(d)
                for j in 0..<g { out[j] = x[j] }
            case .itor(let d, let a):
                let x = lanes.int(a), out = lanes.realOut(d)
                for j in 0..<g { out[j] = Double(x[j]) }
            case .negR(let d, let a):
                let x = lanes.real(a), out = lanes.realOut(d)
                for j in 0..<g { out[j] = -x[j] }
            case .negI(let d, let a):
                let x = lanes.int(a), out = lanes.intOut(d)
                for j in 0..<g { out[j] = 0 &- x[j] }
            case .notI(let d, let a):
                let x = lanes.int(a), out = lanes.intOut(d)
                for j in 0..<g { out[j] = x[j] == 0 ? 1 : 0 }
            case .addR(let d, let a, let b):
                let x = lanes.real(a), y = lanes.real(b), out = lanes.realOut(d)
                for j in 0..<g { out[j] = x[j] + y[j] }
            case .subR(let d, let a, let b):
                let x = lanes.real(a), y = lanes.real(b), out = lanes.realOut(d)
                for j in 0..<g { out[j] = x[j] - y[j] }
            case .mulR(let d, let a, let b):
                let x = lanes.real(a), y = lanes.real(b), out = lanes.realOut(d)
                for j in 0..<g { out[j] = x[j] * y[j] }
            case .divR(let d, let a, let b, _):
                let x = lanes.real(a), y = lanes.real(b)
                for j in 0..<g where y[j] == 0 { return false }
                let out = lanes.realOut(d)
                for j in 0..<g { out[j] = x[j] / y[j] }
            case .addI(let d, let a, let b):
                let x = lanes.int(a), y = lanes.int(b), out = lanes.intOut(d)
                for j in 0..<g { out[j] = x[j] &+ y[j] }
            case .subI(let d, let a, let b):
                let x = lanes.int(a), y = lanes.int(b), out = lanes.intOut(d)
                for j in 0..<g { out[j] = x[j] &- y[j] }
            case .mulI(let d, let a, let b):
                let x = lanes.int(a), y = lanes.int(b), out = lanes.intOut(d)
                for j in 0..<g { out[j] = x[j] &* y[j] }
            case .cmpR(let op, let d, let a, let b):
                let x = lanes.real(a), y = lanes.real(b), out = lanes.intOut(d)
                for j in 0..<g { out[j] = compare(op, x[j], y[j]) ? 1 : 0 }
            case .cmpI(let op, let d, let a, let b):
                let x = lanes.int(a), y = lanes.int(b), out = lanes.intOut(d)
                for j in 0..<g { out[j] = compare(op, x[j], y[j]) ? 1 : 0 }
            case .andI(let d, let a, let b):
                let x = lanes.int(a), y = lanes.int(b), out = lanes.intOut(d)
                for j in 0..<g { out[j] = (x[j] != 0 && y[j] != 0) ? 1 : 0 }
            case .orI(let d, let a, let b):
                let x = lanes.int(a), y = lanes.int(b), out = lanes.intOut(d)
                for j in 0..<g { out[j] = (x[j] != 0 || y[j] != 0) ? 1 : 0 }
            case .minI(let d, let a, let b):
                let x = lanes.int(a), y = lanes.int(b), out = lanes.intOut(d)
                for j in 0..<g { out[j] = Swift.min(x[j], y[j]) }
            case .maxI(let d, let a, let b):
                let x = lanes.int(a), y = lanes.int(b), out = lanes.intOut(d)
                for j in 0..<g { out[j] = Swift.max(x[j], y[j]) }
            case .absI(let d, let a):
                let x = lanes.int(a), out = lanes.intOut(d)
                for j in 0..<g { out[j] = Swift.abs(x[j]) }
            case .math1(let op, let d, let a, _):
                // Results go to scratch first: a NaN leaves the register as it was for the fallback's error.
                let x = lanes.real(a)
                var failed = false
                for j in 0..<g {
                    let y = math1(op, x[j])
                    if y.isNaN { failed = true }
                    context.scratch[j] = y
                }
                if failed { return false }
                let out = lanes.realOut(d)
                for j in 0..<g { out[j] = context.scratch[j] }
            case .math2(let op, let d, let a, let b, _):
                let x = lanes.real(a), y = lanes.real(b)
                var failed = false
                for j in 0..<g {
                    let z = math2(op, x[j], y[j])
                    if z.isNaN { failed = true }
                    context.scratch[j] = z
                }
                if failed { return false }
                let out = lanes.realOut(d)
                for j in 0..<g { out[j] = context.scratch[j] }
            case .len(let d, let a):
                let out = lanes.intOut(d)
                for j in 0..<g { out[j] = states[members[j]].objects[Int(a)].count }
            case .indexR(let d, let a, let i, _):
                // The destination is not an operand, so a member out of range leaves only
                // values the fallback overwrites when it re-runs this instruction.
                let k = lanes.int(i), out = lanes.realOut(d)
                for j in 0..<g {
                    switch states[members[j]].objects[Int(a)] {
                    case .reals(let xs) where k[j] >= 0 && k[j] < xs.count: out[j] = xs[k[j]]
                    case .ints(let xs) where k[j] >= 0 && k[j] < xs.count: out[j] = Double(xs[k[j]])
                    default: return false
                    }
                }
            case .indexI(let d, let a, let i, _):
                let k = lanes.int(i), out = lanes.intOut(d)
                for j in 0..<g {
                    guard case .ints(let xs) = states[members[j]].objects[Int(a)], k[j] >= 0, k[j] < xs.count else { return false }
                    out[j] = xs[k[j]]
                }
            case .jump(let target):
                pc = Int(target)
                continue
            case .jumpIfFalse(let c, let target):
                let x = lanes.int(c)
                let taken = x[0] == 0
                for j in 1..<g where (x[j] == 0) != taken { return false }
                if taken { pc = Int(target); continue }
            case .forCheck(let a, let b, let target):
                let x = lanes.int(a), y = lanes.int(b)
                let leaves = x[0] >= y[0]
                for j in 1..<g where (x[j] >= y[j]) != leaves { return false }
                if leaves { pc = Int(target); continue }
            case .forNext(let a, let target):
                let x = lanes.intInOut(a)
                for j in 0..<g { x[j] += 1 }
                pc = Int(target)
                continue
            case .whileCount(let a, let bound, _):
                let x = lanes.int(a)
                for j in 0..<g where x[j] >= bound { return false }
                let out = lanes.intInOut(a)
                for j in 0..<g { out[j] += 1 }
            case .load(let k):
                let hot = code.hotLoads[Int(k)]
                guard hot.index0 >= 0 else { return false }
                let key = lanes.int(hot.index0)
                let instances = lanes.intOut(hot.instanceRegister)
                let slot = Int(hot.memorySlot)
                switch hot.destination.file {
                case .real:
                    let out = lanes.realOut(hot.destination.index)
                    for j in 0..<g {
                        guard key[j] >= 0, let cell = states[members[j]].frames[0].memory[slot].get(key[j]) else { return false }
                        out[j] = cell.value
                        instances[j] = cell.instance
                    }
                case .int:
                    let out = lanes.intOut(hot.destination.index)
                    for j in 0..<g {
                        guard key[j] >= 0, let cell = states[members[j]].frames[0].memory[slot].get(key[j]) else { return false }
                        out[j] = Int(cell.value)
                        instances[j] = cell.instance
                    }
                case .object:
                    return false
                }
            case .site(let k):
                let hot = code.hotSites[Int(k)]
                guard let id = hot.family, hot.indexCount <= 1, hot.kind != .factor,
                      hot.kind == .observe || hot.hasFixedSupport else { return false }
                let stop = try siteLanes(lanes, hot, id, base: base, context: context, rng: &rng)
                guard let stop else { return false }
                if stop { return true }
            default:
                return false
            }
            pc += 1
        }
    }

    /// Runs a scalar site over the group, member by member: nil when some member cannot run it
    /// together with the others (a negative index), before any member has changed; true when it
    /// was an observation, which stops the group. Bad parameters and NaN log densities throw the
    /// error the one-particle executor throws for that member.
    private func siteLanes(_ lanes: Lanes, _ hot: HotSite, _ id: FamilyID, base: Int, context: BlockContext,
                           rng: inout RandomStream) throws(ModelError) -> Bool? {
        let g = lanes.count
        let states = lanes.states, members = lanes.members
        func columns(_ r: Reg, _ used: Bool) -> (UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Int>?) {
            guard used else { return (nil, nil) }
            switch r.file {
            case .real: return (lanes.real(r.index), nil)
            case .int: return (nil, lanes.int(r.index))
            case .object: return (nil, nil)
            }
        }
        /// The member's registers written back first: the error names the address from its index registers.
        func failure(_ j: Int, _ error: DistributionError?) -> ModelError {
            let entryFunction = functions[entry]
            lanes.scatter(realCount: entryFunction.realCount, intCount: entryFunction.intCount)
            let spec = functions[sites[Int(hot.global)].function].sites[sites[Int(hot.global)].local]
            let address = currentAddress(spec, &states[members[j]], 0, 0)
            if let error {
                return ModelError(.badParameter(error), error.description, location: spec.location, address: address)
            }
            return ModelError(.notFinite, "log density of '\(address)' is not a number", location: spec.location, address: address)
        }
        let n = hot.argumentCount
        let (a0r, a0i) = columns(hot.a0, n > 0)
        let (a1r, a1i) = columns(hot.a1, n > 1)
        let (a2r, a2i) = columns(hot.a2, n > 2)
        let index = hot.indexCount == 1 ? lanes.int(hot.index0) : nil
        if hot.kind == .sample {
            let slot = Int(hot.memorySlot)
            if slot >= 0, let index {
                for j in 0..<g where index[j] < 0 { return nil }
            }
            let realOut = hot.value.file == .real ? lanes.realOut(hot.value.index) : nil
            let intOut = hot.value.file == .int ? lanes.intOut(hot.value.index) : nil
            let last = lanes.intOut(hot.lastInstance)
            let event = context.eventCount * g
            context.eventKeys.grow(to: event + g, ChoiceKey(site: 0, index: 0))
            context.eventValues.grow(to: event + g, 0)
            context.eventLogDensities.grow(to: event + g, 0)
            @inline(__always) func commit(_ j: Int, _ x: Double, _ logDensity: Double) {
                realOut?[j] = x
                intOut?[j] = Int(x)
                let i = index?[j] ?? 0
                let m = members[j]
                let instance = states[m].instanceCount
                if slot >= 0 { states[m].frames[0].memory[slot].set(i, MemoryCell(value: x, instance: instance)) }
                last[j] = instance
                states[m].instanceCount = instance + 1
                context.eventKeys[event + j] = ChoiceKey(site: hot.global, index: i)
                context.eventValues[event + j] = x
                context.eventLogDensities[event + j] = logDensity
            }
            if id == .normal {
                // The commonest family without the enum's dispatch: the same draws and densities.
                for j in 0..<g {
                    let d: Normal
                    do { d = try Normal(mu: lanes.realValue(j, a0r, a0i), sigma: lanes.realValue(j, a1r, a1i)) } catch {
                        throw failure(j, error)
                    }
                    let x = d.sample(using: &rng)
                    let logDensity = d.logDensity(x)
                    if logDensity.isNaN { throw failure(j, nil) }
                    commit(j, x, logDensity)
                }
            } else {
                for j in 0..<g {
                    let d: ScalarDistribution
                    do {
                        d = try ScalarDistribution.make(id, lanes.realValue(j, a0r, a0i), lanes.realValue(j, a1r, a1i),
                                                        lanes.realValue(j, a2r, a2i))
                    } catch { throw failure(j, error) }
                    let x = d.sample(using: &rng)
                    let logDensity = d.logDensity(x)
                    if logDensity.isNaN { throw failure(j, nil) }
                    commit(j, x, logDensity)
                }
            }
            context.eventCount += 1
            context.groupDraws += g
            return false
        }
        let (vr, vi) = columns(hot.value, true)
        @inline(__always) func commit(_ j: Int, _ logDensity: Double) {
            let m = members[j], l = m - base
            context.stepLogWeights[l] += logDensity
            context.lastObservation[l] = Int(hot.global)
            states[m].observationsPassed += 1
            states[m].instanceCount += 1
        }
        if id == .normal {
            for j in 0..<g {
                let d: Normal
                do { d = try Normal(mu: lanes.realValue(j, a0r, a0i), sigma: lanes.realValue(j, a1r, a1i)) } catch {
                    throw failure(j, error)
                }
                let logDensity = d.logDensity(lanes.realValue(j, vr, vi))
                if logDensity.isNaN { throw failure(j, nil) }
                commit(j, logDensity)
            }
        } else {
            for j in 0..<g {
                let d: ScalarDistribution
                do {
                    d = try ScalarDistribution.make(id, lanes.realValue(j, a0r, a0i), lanes.realValue(j, a1r, a1i),
                                                    lanes.realValue(j, a2r, a2i))
                } catch { throw failure(j, error) }
                let logDensity = d.logDensity(lanes.realValue(j, vr, vi))
                if logDensity.isNaN { throw failure(j, nil) }
                commit(j, logDensity)
            }
        }
        return true
    }
}
