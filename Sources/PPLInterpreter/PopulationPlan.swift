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
/// the program goes: every loop condition and every branch around choices is the same for all
/// particles, and so are choice addresses. (A branch around code that only computes, such as
/// `c ? a : b`, runs particle by particle.) It also leaves out, for now, calls of functions that make choices,
/// array-valued choices and memory read by several random indices.
struct PopulationPlan: Sendable {
    /// How an instruction that is not a choice, a read of memory or control flow runs.
    enum Mode: UInt8, Sendable {
        /// Once per block, on the representative state: it reads and writes no column.
        case uniform
        /// Over the block's scalar columns, in a tight loop (arithmetic, comparisons, math).
        case lanes
        /// Particle by particle through the one-particle code, on a scratch state given the
        /// particle's columns (array operations on random values).
        case perParticle
    }

    /// Column of each real / int / object register, -1 for the registers held once.
    let realColumn: [Int]
    let intColumn: [Int]
    let objectColumn: [Int]
    let realColumnCount: Int
    let intColumnCount: Int
    let objectColumnCount: Int
    let modes: [Mode]
    /// Per particle-by-particle instruction: the columns it reads and writes.
    let perParticleOperands: [Int: (reads: [RegisterRef], writes: [RegisterRef])]
    /// Branches on a random value around code that only computes (`c ? a : b`), by the pc of the
    /// branch: each particle runs the region its own way, through the one-particle code.
    let regions: [Int: BranchRegion]

    struct BranchRegion: Sendable {
        /// Where both ways meet again.
        let join: Int
        let reads: [RegisterRef]
        let writes: [RegisterRef]
    }

    /// Where a structured `if` at `pc` joins, when everything up to there only computes or reads
    /// memory (no choices, calls, loops or returns, and jumps that stay inside).
    static func pureRegion(_ code: [Code], _ pc: Int) -> Int? {
        guard case .jumpIfFalse(_, let target) = code[pc], Int(target) > pc else { return nil }
        var join = Int(target)
        if join - 1 > pc, case .jump(let end) = code[join - 1], Int(end) >= join { join = Int(end) }
        guard join <= code.count else { return nil }
        for q in (pc + 1)..<join {
            switch code[q] {
            case .jump(let t), .jumpIfFalse(_, let t):
                guard Int(t) > q && Int(t) <= join else { return nil }
            case .site, .gather, .report, .call, .ret, .forCheck, .forNext, .whileCount:
                return nil
            default:
                break
            }
        }
        return join
    }
    /// Gathered arrays (`x`, all of `x[0]`, `x[1]`, ...) that are only returned: the memory slot, read
    /// through the ancestry once, at the end. Other gathered arrays are object columns.
    let gatheredSlot: [Int32: Int]
    /// Random object registers that are a row of an array the same for every particle, chosen by a
    /// random index (`transition[z[t - 1]]`), with the array's register: only arguments of choices.
    let rowSource: [Int32: Int32]
    /// Per instruction after an observation or factor: the columns live there, which resampling gathers.
    let liveRealColumns: [Int: [Int]]
    let liveIntColumns: [Int: [Int]]
    let liveObjectColumns: [Int: [Int]]

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
            // What a branch on a random value computes differs between particles too.
            for (pc, instruction) in code.enumerated() {
                guard case .jumpIfFalse(let c, _) = instruction, random.contains(RegisterRef(.int, c)),
                      let join = pureRegion(code, pc) else { continue }
                for q in pc..<join {
                    for w in operands(code[q], f).writes where random.insert(w).inserted { changed = true }
                }
            }
        }
        func isRandom(_ r: Reg) -> Bool { random.contains(RegisterRef(r)) }
        func isRandom(_ index: Int32, _ file: Reg.File) -> Bool { random.contains(RegisterRef(file, index)) }
        // Functions that make no choice and report nothing, nor call one that does: a population
        // runs their calls through the one-particle code, particle by particle when an argument
        // is random.
        var deterministic = Set(program.functions.indices.filter { k in
            !program.functions[k].code.contains { instruction in
                switch instruction {
                case .site, .report, .load, .gather: true
                default: false
                }
            }
        })
        changed = true
        while changed {
            changed = false
            for k in deterministic where program.functions[k].calls.contains(where: { !deterministic.contains($0.callee) }) {
                deterministic.remove(k)
                changed = true
            }
        }

        // Who reads each object register, to tell gathered arrays only returned and rows only
        // passed to choices from arrays that need a column.
        var objectReaders: [Int32: [Code]] = [:]
        for instruction in code {
            for r in operands(instruction, f).reads where r.file == .object { objectReaders[r.index, default: []].append(instruction) }
        }
        // Copies of gathered arrays are gathered arrays; those read only by `ret` (or copied into
        // one that is) stay in memory.
        changed = true
        while changed {
            changed = false
            for case .movO(let d, let a) in code where gathered[a] != nil && gathered[d] == nil {
                gathered[d] = gathered[a]
                changed = true
            }
        }
        var returnOnly = gathered
        changed = true
        while changed {
            changed = false
            for r in Array(returnOnly.keys) {
                let fine = (objectReaders[r] ?? []).allSatisfy { reader in
                    switch reader {
                    case .ret: true
                    case .movO(let d, _): returnOnly[d] != nil
                    default: false
                    }
                }
                if !fine { returnOnly[r] = nil; changed = true }
            }
        }
        var rows: [Int32: Int32] = [:]
        for case .indexO(let d, let a, let i, _) in code where isRandom(i, .int) && !isRandom(a, .object) {
            let onlyChoices = (objectReaders[d] ?? []).allSatisfy { reader in
                if case .site(let k) = reader, case .generic = f.sites[Int(k)].family, f.sites[Int(k)].arguments.contains(where: { $0.file == .object && $0.index == d }) { return true }
                return false
            }
            if onlyChoices { rows[d] = a }
        }
        func isColumn(_ r: RegisterRef) -> Bool {
            random.contains(r) && !(r.file == .object && (returnOnly[r.index] != nil || rows[r.index] != nil))
        }

        var modes = [Mode](repeating: .uniform, count: code.count)
        var regions: [Int: BranchRegion] = [:]
        var perParticle: [Int: (reads: [RegisterRef], writes: [RegisterRef])] = [:]
        for (pc, instruction) in code.enumerated() {
            let (reads, writes) = operands(instruction, f)
            let randomReads = reads.filter { random.contains($0) }
            func unsupported(_ what: String) -> Result<PopulationPlan, Unsupported> {
                .failure(Unsupported(message: "\(what) (instruction \(pc) of '\(f.name)')"))
            }
            switch instruction {
            case .call(let k):
                guard deterministic.contains(f.calls[Int(k)].callee) else {
                    return unsupported("it calls '\(program.functions[f.calls[Int(k)].callee].name)', which makes random choices")
                }
                if reads.contains(where: { random.contains($0) && !isColumn($0) }) {
                    return unsupported("an array it only returns or passes to a choice is used otherwise")
                }
                if reads.contains(where: isColumn) || writes.contains(where: isColumn) {
                    modes[pc] = .perParticle
                    perParticle[pc] = (reads.filter(isColumn), writes.filter(isColumn))
                }
            case .jumpIfFalse:
                guard !randomReads.isEmpty else { break }
                guard let join = pureRegion(code, pc) else {
                    return unsupported("a random choice decides its control flow, around choices or loops")
                }
                var regionReads: [RegisterRef] = [], regionWrites: [RegisterRef] = []
                for q in pc..<join {
                    let (r, w) = operands(code[q], f)
                    regionReads += r
                    regionWrites += w
                }
                if regionReads.contains(where: { random.contains($0) && !isColumn($0) }) {
                    return unsupported("an array it only returns or passes to a choice is used otherwise")
                }
                let written = Set(regionWrites.filter(isColumn))
                // Registers one way leaves alone keep the particle's own values, so they are read too.
                regions[pc] = BranchRegion(join: join, reads: Array(Set(regionReads.filter(isColumn)).union(written)),
                                           writes: Array(written))
            case .forCheck, .whileCount:
                if !randomReads.isEmpty { return unsupported("a random choice decides its control flow") }
            case .report(let k):
                let r = f.reports[Int(k)].value
                if r.file == .object && isRandom(r) && !isColumn(RegisterRef(r)) {
                    return unsupported("it reports an array it only returns or passes to a choice")
                }
            case .site(let k):
                let spec = f.sites[Int(k)]
                if spec.kind == .factor { break }
                if spec.indexRegisters.contains(where: { isRandom($0, .int) }) {
                    return unsupported("a random choice decides the address of '\(program.names[spec.nameID])'")
                }
                if spec.value.file == .object && (spec.kind == .sample || isRandom(spec.value)) {
                    return unsupported("'\(program.names[spec.nameID])' is not a scalar")
                }
                if spec.kind != .sample && spec.memorySlot >= 0 {
                    return unsupported("observed '\(program.names[spec.nameID])' is read back")
                }
            case .load(let k):
                let spec = f.loads[Int(k)]
                if spec.indexRegisters.count > 1 && spec.indexRegisters.contains(where: { isRandom($0, .int) }) {
                    return unsupported("a random choice decides which '\(program.names[spec.nameID])' is read, by several indices")
                }
                if spec.destination.file == .object { return unsupported("'\(program.names[spec.nameID])' is read as an array") }
            case .gather(let k):
                if returnOnly[f.gathers[Int(k)].destination.index] == nil {
                    modes[pc] = .perParticle
                    perParticle[pc] = ([], [RegisterRef(f.gathers[Int(k)].destination)])
                }
            case .ret: break
            case .indexO(let d, _, _, _) where rows[d] != nil: break
            case .movO(let d, _) where returnOnly[d] != nil: break
            default:
                guard reads.contains(where: isColumn) || writes.contains(where: isColumn) else { break }
                if reads.contains(where: { random.contains($0) && !isColumn($0) }) {
                    return unsupported("an array it only returns or passes to a choice is used otherwise")
                }
                let touchesObjects = (reads + writes).contains { $0.file == .object && isColumn($0) }
                if !touchesObjects && Self.runsOverLanes(instruction) {
                    modes[pc] = .lanes
                } else {
                    modes[pc] = .perParticle
                    perParticle[pc] = (reads.filter(isColumn), writes.filter(isColumn))
                }
            }
        }

        var realColumn = [Int](repeating: -1, count: f.realCount)
        var intColumn = [Int](repeating: -1, count: f.intCount)
        var objectColumn = [Int](repeating: -1, count: f.objectCount)
        var realCount = 0, intCount = 0, objectCount = 0
        for r in random.sorted(by: { ($0.file.rawValue, $0.index) < ($1.file.rawValue, $1.index) }) where isColumn(r) {
            switch r.file {
            case .real: realColumn[Int(r.index)] = realCount; realCount += 1
            case .int: intColumn[Int(r.index)] = intCount; intCount += 1
            case .object: objectColumn[Int(r.index)] = objectCount; objectCount += 1
            }
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
        var liveReals: [Int: [Int]] = [:], liveInts: [Int: [Int]] = [:], liveObjects: [Int: [Int]] = [:]
        for (pc, instruction) in code.enumerated() {
            // Particles stop after observations and factors.
            guard case .site(let k) = instruction, f.sites[Int(k)].kind != .sample else { continue }
            for r in liveIn[pc + 1] where random.contains(r) {
                switch r.file {
                case .real: liveReals[pc + 1, default: []].append(realColumn[Int(r.index)])
                case .int: liveInts[pc + 1, default: []].append(intColumn[Int(r.index)])
                case .object:
                    guard objectColumn[Int(r.index)] >= 0 else {
                        return .failure(Unsupported(message: "a gathered array or a chosen row is held across an observation"))
                    }
                    liveObjects[pc + 1, default: []].append(objectColumn[Int(r.index)])
                }
            }
        }
        return .success(PopulationPlan(realColumn: realColumn, intColumn: intColumn, objectColumn: objectColumn,
                                       realColumnCount: realCount, intColumnCount: intCount, objectColumnCount: objectCount,
                                       modes: modes, perParticleOperands: perParticle, regions: regions,
                                       gatheredSlot: returnOnly, rowSource: rows,
                                       liveRealColumns: liveReals.mapValues { $0.sorted() },
                                       liveIntColumns: liveInts.mapValues { $0.sorted() },
                                       liveObjectColumns: liveObjects.mapValues { $0.sorted() }))
    }

    /// Whether `BlockLanes.lanes` runs the instruction over scalar columns.
    static func runsOverLanes(_ instruction: Code) -> Bool {
        switch instruction {
        case .constR, .constI, .movR, .movI, .itor, .negR, .negI, .notI, .absI, .addR, .subR, .mulR, .powR, .divR, .modR,
             .addI, .subI, .mulI, .divI, .modI, .minI, .maxI, .cmpR, .cmpI, .andI, .orI, .math1, .math2, .indexR, .indexI:
            return true
        default:
            return false
        }
    }

    /// Registers an instruction writes that become random when it reads a random value (or makes a choice).
    static func randomOutputs(_ instruction: Code, _ f: CompiledFunction, _ writes: [RegisterRef]) -> [RegisterRef] {
        switch instruction {
        // Instance numbers count choices, the same for every particle in lockstep.
        case .site(let k): return [RegisterRef(f.sites[Int(k)].value)].filter { _ in f.sites[Int(k)].kind == .sample }
        case .load(let k): return [RegisterRef(f.loads[Int(k)].destination)]
        // The call counter counts calls, the same for every particle.
        case .call(let k): return f.calls[Int(k)].destination.map { [RegisterRef($0)] } ?? []
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
