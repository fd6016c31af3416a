import PPLDistributions
import PPLInference

/// A register of the entry function, by file and index.
struct RegisterRef: Hashable, Sendable {
    var file: Reg.File
    var index: Int32
    init(_ r: Reg) { file = r.file; index = r.index }
    init(_ file: Reg.File, _ index: Int32) { self.file = file; self.index = index }
}

/// Whether, and how, a program's particles can run as one population in columns: which registers
/// of the entry function hold random values (one column each, one value per particle) and which
/// are the same for every particle (held once per block), found by propagating randomness from
/// the choices through the code.
///
/// The population runs in lockstep, so the plan exists only when no random value decides where
/// the program goes: every branch and loop condition is the same for all particles, and so are
/// choice addresses, memory keys, arrays and calls. It also leaves out, for now, what the
/// columns do not carry: calls, reported arrays, array-valued choices, several-index choice
/// addresses and memory read by several random indices.
struct PopulationPlan: Sendable {
    /// Column of each real / int register, -1 for the registers held once.
    let realColumn: [Int]
    let intColumn: [Int]
    let realColumnCount: Int
    let intColumnCount: Int
    /// Per instruction: whether it writes a column (run lane by lane) or not (run once per block).
    let writesColumn: [Bool]
    /// Random object registers: the memory slot whose values they gather (only returned).
    let gatheredSlot: [Int32: Int]
    /// Random object registers that are a row of an array the same for every particle, chosen by a
    /// random index (`transition[z[t - 1]]`), with the array's register: only arguments of choices.
    let rowSource: [Int32: Int32]
    /// Per instruction after an observation or factor: the columns live there, which resampling gathers.
    let liveRealColumns: [Int: [Int]]
    let liveIntColumns: [Int: [Int]]

    /// Why the program cannot run as a population; nil when it can.
    static func reason(_ program: CompiledProgram) -> String? {
        switch make(program) {
        case .success: return nil
        case .failure(let why): return why.message
        }
    }

    struct Unsupported: Error { var message: String }

    static func make(_ program: CompiledProgram) -> Result<PopulationPlan, Unsupported> {
        let f = program.functions[program.entry]
        let code = f.code
        // Randomness: choices' values are random, and so is anything computed from one.
        var random = Set<RegisterRef>()
        var gathered: [Int32: Int] = [:]
        var changed = true
        while changed {
            changed = false
            for instruction in code {
                let (reads, writes) = operands(instruction, f)
                var isRandom = reads.contains { random.contains($0) }
                switch instruction {
                case .site(let k) where f.sites[Int(k)].kind == .sample: isRandom = true
                case .load: isRandom = true
                case .gather(let k):
                    isRandom = true
                    gathered[f.gathers[Int(k)].destination.index] = f.gathers[Int(k)].memorySlot
                default: break
                }
                guard isRandom else { continue }
                for w in randomOutputs(instruction, f, writes) where random.insert(w).inserted { changed = true }
            }
        }
        func isRandom(_ r: Reg) -> Bool { random.contains(RegisterRef(r)) }
        func isRandom(_ index: Int32, _ file: Reg.File) -> Bool { random.contains(RegisterRef(file, index)) }
        var rows: [Int32: Int32] = [:]
        for case .indexO(let d, let a, let i, _) in code where isRandom(i, .int) && !isRandom(a, .object) {
            rows[d] = a
        }

        // What the lockstep cannot do.
        for (pc, instruction) in code.enumerated() {
            let (reads, writes) = operands(instruction, f)
            let randomReads = reads.filter { random.contains($0) }
            func unsupported(_ what: String) -> Result<PopulationPlan, Unsupported> {
                .failure(Unsupported(message: "\(what) (instruction \(pc) of '\(f.name)')"))
            }
            switch instruction {
            case .call: return unsupported("it calls a function")
            case .jumpIfFalse, .forCheck, .whileCount:
                if !randomReads.isEmpty { return unsupported("a random choice decides its control flow") }
            case .report(let k):
                if f.reports[Int(k)].value.file == .object && isRandom(f.reports[Int(k)].value) {
                    return unsupported("it reports an array computed from random choices")
                }
            case .site(let k):
                let spec = f.sites[Int(k)]
                if spec.kind == .factor { break }
                if case .generic = spec.family {
                    // Array parameters: arrays the same for every particle, or rows of one chosen per particle.
                    if spec.value.file == .object { return unsupported("'\(program.names[spec.nameID])' is not a scalar") }
                    for argument in spec.arguments where argument.file == .object && isRandom(argument) && rows[argument.index] == nil {
                        return unsupported("'\(program.names[spec.nameID])' has an array parameter computed from random choices")
                    }
                }
                if spec.indexRegisters.contains(where: { isRandom($0, .int) }) {
                    return unsupported("a random choice decides the address of '\(program.names[spec.nameID])'")
                }
                if spec.kind == .sample {
                    if spec.indexRegisters.count > 1 { return unsupported("'\(program.names[spec.nameID])' has several indices") }
                    if spec.value.file == .object { return unsupported("'\(program.names[spec.nameID])' is not a scalar") }
                } else if spec.memorySlot >= 0 {
                    return unsupported("observed '\(program.names[spec.nameID])' is read back")
                }
            case .load(let k):
                let spec = f.loads[Int(k)]
                if spec.indexRegisters.count > 1 && spec.indexRegisters.contains(where: { isRandom($0, .int) }) {
                    return unsupported("a random choice decides which '\(program.names[spec.nameID])' is read, by several indices")
                }
                if spec.destination.file == .object { return unsupported("'\(program.names[spec.nameID])' is read as an array") }
            case .gather: break
            case .ret(let r):
                if let r, r.file == .object, isRandom(r), gathered[r.index] == nil {
                    return unsupported("it returns an array computed from random choices")
                }
            case .movO(let d, let a):
                if rows[a] != nil { return unsupported("it copies an array row chosen by a random choice") }
                if isRandom(a, .object) {
                    guard let slot = gathered[a] else { return unsupported("it copies a random array") }
                    if let other = gathered[d], other != slot { return unsupported("it copies a random array") }
                    gathered[d] = slot
                }
            case .indexR(_, let a, _, _), .indexI(_, let a, _, _):
                if isRandom(a, .object) { return unsupported("it indexes an array of random choices") }
            case .indexO(let d, let a, _, _):
                if isRandom(a, .object) { return unsupported("it indexes an array of random choices") }
                if isRandom(d, .object) && rows[d] == nil { return unsupported("it indexes an array of random choices") }
            default:
                // Array operations must not see random values; scalar arithmetic runs lane by lane.
                if !randomReads.isEmpty && (reads.contains { $0.file == .object } || writes.contains { $0.file == .object }
                                            || { if case .generic = instruction { true } else { false } }()
                                            || { if case .makeArray = instruction { true } else { false } }()) {
                    return unsupported("an array operation reads a random choice")
                }
            }
        }

        var realColumn = [Int](repeating: -1, count: f.realCount)
        var intColumn = [Int](repeating: -1, count: f.intCount)
        var realCount = 0, intCount = 0
        for r in random.sorted(by: { ($0.file.rawValue, $0.index) < ($1.file.rawValue, $1.index) }) {
            switch r.file {
            case .real: realColumn[Int(r.index)] = realCount; realCount += 1
            case .int: intColumn[Int(r.index)] = intCount; intCount += 1
            case .object: break
            }
        }
        let writesColumn = code.map { instruction in
            if case .indexO(let d, _, _, _) = instruction, rows[d] != nil { return true }
            return operands(instruction, f).writes.contains { random.contains($0) && $0.file != .object }
        }

        // Liveness of columns, backwards to a fixed point, for what resampling must gather.
        var liveIn = [Set<RegisterRef>](repeating: [], count: code.count + 1)
        changed = true
        while changed {
            changed = false
            for pc in stride(from: code.count - 1, through: 0, by: -1) {
                var out = Set<RegisterRef>()
                for next in successors(code[pc], pc) where next < liveIn.count { out.formUnion(liveIn[next]) }
                let (reads, writes) = operands(code[pc], f)
                out.subtract(writes)
                for r in reads where random.contains(r) { out.insert(r) }
                if out != liveIn[pc] { liveIn[pc] = out; changed = true }
            }
        }
        var liveReals: [Int: [Int]] = [:], liveInts: [Int: [Int]] = [:]
        for (pc, instruction) in code.enumerated() {
            // Particles stop after observations and factors.
            guard case .site(let k) = instruction, f.sites[Int(k)].kind != .sample else { continue }
            let live = liveIn[pc + 1]
            for r in live where random.contains(r) {
                switch r.file {
                case .real: liveReals[pc + 1, default: []].append(realColumn[Int(r.index)])
                case .int: liveInts[pc + 1, default: []].append(intColumn[Int(r.index)])
                case .object: return .failure(Unsupported(message: "a gathered array is held across an observation"))
                }
            }
        }
        return .success(PopulationPlan(realColumn: realColumn, intColumn: intColumn, realColumnCount: realCount,
                                       intColumnCount: intCount, writesColumn: writesColumn, gatheredSlot: gathered, rowSource: rows,
                                       liveRealColumns: liveReals.mapValues { $0.sorted() },
                                       liveIntColumns: liveInts.mapValues { $0.sorted() }))
    }

    /// Registers an instruction writes that become random when it reads a random value (or makes a choice).
    static func randomOutputs(_ instruction: Code, _ f: CompiledFunction, _ writes: [RegisterRef]) -> [RegisterRef] {
        switch instruction {
        // Instance numbers count choices, the same for every particle in lockstep.
        case .site(let k): return [RegisterRef(f.sites[Int(k)].value)].filter { _ in f.sites[Int(k)].kind == .sample }
        case .load(let k): return [RegisterRef(f.loads[Int(k)].destination)]
        default: return writes
        }
    }

    static func successors(_ instruction: Code, _ pc: Int) -> [Int] {
        switch instruction {
        case .jump(let t): [Int(t)]
        case .jumpIfFalse(_, let t), .forCheck(_, _, let t): [pc + 1, Int(t)]
        case .forNext(_, let t): [Int(t)]
        case .ret: []
        default: [pc + 1]
        }
    }

    /// The registers an instruction reads and writes.
    static func operands(_ instruction: Code, _ f: CompiledFunction) -> (reads: [RegisterRef], writes: [RegisterRef]) {
        func r(_ i: Int32) -> RegisterRef { RegisterRef(.real, i) }
        func n(_ i: Int32) -> RegisterRef { RegisterRef(.int, i) }
        func o(_ i: Int32) -> RegisterRef { RegisterRef(.object, i) }
        switch instruction {
        case .constR(let d, _): return ([], [r(d)])
        case .constI(let d, _): return ([], [n(d)])
        case .movR(let d, let a), .negR(let d, let a): return ([r(a)], [r(d)])
        case .movI(let d, let a), .negI(let d, let a), .notI(let d, let a), .absI(let d, let a): return ([n(a)], [n(d)])
        case .movO(let d, let a): return ([o(a)], [o(d)])
        case .itor(let d, let a): return ([n(a)], [r(d)])
        case .addR(let d, let a, let b), .subR(let d, let a, let b), .mulR(let d, let a, let b), .powR(let d, let a, let b),
             .divR(let d, let a, let b, _), .modR(let d, let a, let b, _), .math2(_, let d, let a, let b, _):
            return ([r(a), r(b)], [r(d)])
        case .addI(let d, let a, let b), .subI(let d, let a, let b), .mulI(let d, let a, let b), .divI(let d, let a, let b, _),
             .modI(let d, let a, let b, _), .cmpI(_, let d, let a, let b), .andI(let d, let a, let b), .orI(let d, let a, let b),
             .minI(let d, let a, let b), .maxI(let d, let a, let b):
            return ([n(a), n(b)], [n(d)])
        case .cmpR(_, let d, let a, let b): return ([r(a), r(b)], [n(d)])
        case .math1(_, let d, let a, _): return ([r(a)], [r(d)])
        case .reduceR(_, let d, let a, _): return ([o(a)], [r(d)])
        case .sumI(let d, let a), .len(let d, let a): return ([o(a)], [n(d)])
        case .makeArray(let d, let k): return (f.arrays[Int(k)].elements.map(RegisterRef.init), [o(d)])
        case .indexR(let d, let a, let i, _): return ([o(a), n(i)], [r(d)])
        case .indexI(let d, let a, let i, _): return ([o(a), n(i)], [n(d)])
        case .indexO(let d, let a, let i, _): return ([o(a), n(i)], [o(d)])
        case .jump: return ([], [])
        case .jumpIfFalse(let c, _): return ([n(c)], [])
        case .forCheck(let a, let b, _): return ([n(a), n(b)], [])
        case .forNext(let a, _): return ([n(a)], [n(a)])
        case .whileCount(let a, _, _): return ([n(a)], [n(a)])
        case .site(let k):
            let spec = f.sites[Int(k)]
            var reads = spec.arguments.map(RegisterRef.init) + spec.indexRegisters.map(n)
            if spec.kind == .sample { return (reads, [RegisterRef(spec.value), n(spec.lastInstance)]) }
            reads.append(RegisterRef(spec.value))
            return (reads, [])
        case .load(let k):
            let spec = f.loads[Int(k)]
            return (spec.indexRegisters.map(n), [RegisterRef(spec.destination), n(spec.instanceRegister)])
        case .gather(let k): return ([], [RegisterRef(f.gathers[Int(k)].destination)])
        case .report(let k): return ([RegisterRef(f.reports[Int(k)].value)] + f.reports[Int(k)].address.compactMap {
            if case .index(let i) = $0 { n(i) } else { nil } }, [])
        case .generic(let k):
            let spec = f.generics[Int(k)]
            return (spec.arguments.map(RegisterRef.init), [RegisterRef(spec.destination)])
        case .call(let k):
            let spec = f.calls[Int(k)]
            return (spec.arguments.map(RegisterRef.init) + [n(spec.counter)],
                    (spec.destination.map { [RegisterRef($0)] } ?? []) + [n(spec.counter)])
        case .ret(let reg): return (reg.map { [RegisterRef($0)] } ?? [], [])
        }
    }
}
