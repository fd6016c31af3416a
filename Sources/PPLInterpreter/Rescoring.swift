import PPLDistributions
import PPLInference
import PPLIR

// Local re-scoring of static models (the Markov blanket of one choice).
//
// At compile time each site gets a slice: the pure instructions of its function that
// compute its parameters, back to leaves. A leaf is either a choice (a `sample` result or
// a `load`), whose current value is read from the trace, or a deterministic register,
// whose value is snapshotted when the site runs. A site whose slice reaches a register
// that depends on randomness some other way (a call result, a carried variable, a
// gathered array) is not re-scorable alone, and the model falls back to re-execution.
//
// At run time, a recording run stores each instance's snapshots and the instances its
// choice leaves read; inverting that gives each choice's children. Updating a choice
// then re-scores the choice and its children only: O(blanket), whatever the model size.

/// A choice leaf of a slice: the register to fill and the register that held its instance number.
struct ChoiceLeaf: Sendable {
    var register: Reg
    var instanceRegister: Int32
}

/// How to re-evaluate one site's parameters alone; a class, so that fetching it on every re-score costs one retain.
final class SliceSpec: Sendable {
    let code: [Code]
    let snapshots: [Reg]
    let choiceLeaves: [ChoiceLeaf]
    let eligible: Bool
    /// For each instruction of `code`, the leaves it depends on (bit k: snapshot k, then the
    /// choice leaves); all bits when unknown. Consecutive re-scores of one site (the
    /// observations of a vectorised `y ~ Normal(X * beta, sigma)`) skip the instructions whose
    /// leaves did not change, so updating `beta` costs O(N), not O(N^2).
    let leafMasks: [UInt64]
    /// Set when the site can be scored without running a slice (see `DirectScore`).
    let direct: DirectScore?
    /// Per choice leaf, when the site reads it only as an element of an array indexed by another
    /// choice leaf (`means[z[i]]` reads `mu[k]` only when `z[i] == k`); nil otherwise.
    let selectors: [LeafSelector?]

    init(code: [Code], snapshots: [Reg], choiceLeaves: [ChoiceLeaf], eligible: Bool, leafMasks: [UInt64] = [],
         direct: DirectScore? = nil, selectors: [LeafSelector?] = []) {
        self.code = code
        self.snapshots = snapshots
        self.choiceLeaves = choiceLeaves
        self.eligible = eligible
        self.leafMasks = leafMasks
        self.direct = direct
        self.selectors = selectors
    }
}

/// A choice leaf that enters a site's parameters only as `elements` of arrays indexed by the choice leaf
/// at position `selector`: while that leaf's value is none of them, the site does not depend on this one.
struct LeafSelector: Sendable {
    var selector: Int
    var elements: [Int]
}

/// Where a directly scored site reads one number: a snapshot of the rescoring index (by its
/// position among the slice's snapshots of that file) or the value of a choice leaf.
struct DirectOperand: Sendable {
    enum Source: UInt8, Sendable { case realSnapshot, intSnapshot, choice }
    var source: Source
    var slot: Int32
}

/// A scalar-family site whose parameters (and observed value) are each a snapshot or a choice,
/// so that re-scoring it reads them straight from the index and the trace: no slice to run, no
/// scratch registers, nothing reference-counted (`y[i] ~ Normal(x[i], 1)`, `x[i] ~ Normal(mu, tau)`).
struct DirectScore: Sendable {
    var family: FamilyID
    var kind: SiteSpec.Kind
    var argumentCount: Int
    var a0: DirectOperand
    var a1: DirectOperand
    var a2: DirectOperand
    /// The observed value (unused for `sample`, which scores its own value).
    var value: DirectOperand
    var hasFixedSupport: Bool

    init?(_ spec: SiteSpec, snapshots: [Reg], choiceLeaves: [ChoiceLeaf], codeIsEmpty: Bool) {
        guard codeIsEmpty, spec.kind != .factor, case .scalar(let id) = spec.family, spec.arguments.count <= 3 else { return nil }
        func operand(_ r: Reg) -> DirectOperand? {
            let key = Slicer.key(r)
            var reals: Int32 = 0, ints: Int32 = 0
            for snapshot in snapshots {
                if Slicer.key(snapshot) == key {
                    switch snapshot.file {
                    case .real: return DirectOperand(source: .realSnapshot, slot: reals)
                    case .int: return DirectOperand(source: .intSnapshot, slot: ints)
                    case .object: return nil
                    }
                }
                if snapshot.file == .real { reals += 1 } else if snapshot.file == .int { ints += 1 }
            }
            for (k, leaf) in choiceLeaves.enumerated() where Slicer.key(leaf.register) == key {
                return leaf.register.file == .object ? nil : DirectOperand(source: .choice, slot: Int32(k))
            }
            return nil
        }
        var operands: [DirectOperand] = []
        for r in spec.arguments {
            guard let o = operand(r) else { return nil }
            operands.append(o)
        }
        let unused = DirectOperand(source: .realSnapshot, slot: 0)
        if spec.kind == .observe {
            guard let o = operand(spec.value) else { return nil }
            value = o
        } else {
            value = unused
        }
        family = id
        kind = spec.kind
        argumentCount = operands.count
        a0 = operands.count > 0 ? operands[0] : unused
        a1 = operands.count > 1 ? operands[1] : unused
        a2 = operands.count > 2 ? operands[2] : unused
        hasFixedSupport = spec.fixedSupport != nil
    }
}

/// A site's slice, specification and register counts, fetched once for many re-scores of its instances.
struct SliceTables {
    let function: Int
    let spec: SiteSpec
    let slice: SliceSpec
    /// The site's unboxed description (scalar family, argument registers), for the common case.
    let hot: HotSite
    let realCount: Int
    let intCount: Int
    let objectCount: Int
}

/// Builds the slices of one compiled function.
struct Slicer {
    let function: CompiledFunction
    let randomParameters: Set<Int>
    let randomCallees: Set<Int>

    static func key(_ r: Reg) -> Int { Int(r.file.rawValue) << 32 | Int(r.index) }
    static func key(_ file: Reg.File, _ index: Int32) -> Int { Int(file.rawValue) << 32 | Int(index) }

    /// Registers written and read by an instruction; `pure` when it has no effect but its writes.
    func effects(_ c: Code) -> (defs: [Int], uses: [Int], pure: Bool) {
        let R = Reg.File.real, I = Reg.File.int, O = Reg.File.object
        func k(_ f: Reg.File, _ i: Int32) -> Int { Self.key(f, i) }
        switch c {
        case .constR(let d, _): return ([k(R, d)], [], true)
        case .constI(let d, _): return ([k(I, d)], [], true)
        case .movR(let d, let a), .negR(let d, let a): return ([k(R, d)], [k(R, a)], true)
        case .movI(let d, let a), .negI(let d, let a), .notI(let d, let a), .absI(let d, let a): return ([k(I, d)], [k(I, a)], true)
        case .movO(let d, let a): return ([k(O, d)], [k(O, a)], true)
        case .itor(let d, let a): return ([k(R, d)], [k(I, a)], true)
        case .addR(let d, let a, let b), .subR(let d, let a, let b), .mulR(let d, let a, let b), .powR(let d, let a, let b),
             .divR(let d, let a, let b, _), .modR(let d, let a, let b, _), .math2(_, let d, let a, let b, _):
            return ([k(R, d)], [k(R, a), k(R, b)], true)
        case .addI(let d, let a, let b), .subI(let d, let a, let b), .mulI(let d, let a, let b), .divI(let d, let a, let b, _),
             .modI(let d, let a, let b, _), .cmpI(_, let d, let a, let b), .andI(let d, let a, let b), .orI(let d, let a, let b),
             .minI(let d, let a, let b), .maxI(let d, let a, let b):
            return ([k(I, d)], [k(I, a), k(I, b)], true)
        case .cmpR(_, let d, let a, let b): return ([k(I, d)], [k(R, a), k(R, b)], true)
        case .math1(_, let d, let a, _): return ([k(R, d)], [k(R, a)], true)
        case .reduceR(_, let d, let a, _): return ([k(R, d)], [k(O, a)], true)
        case .sumI(let d, let a), .len(let d, let a): return ([k(I, d)], [k(O, a)], true)
        case .makeArray(let d, let a): return ([k(O, d)], function.arrays[Int(a)].elements.map(Self.key), true)
        case .indexR(let d, let a, let i, _): return ([k(R, d)], [k(O, a), k(I, i)], true)
        case .indexI(let d, let a, let i, _): return ([k(I, d)], [k(O, a), k(I, i)], true)
        case .indexO(let d, let a, let i, _): return ([k(O, d)], [k(O, a), k(I, i)], true)
        case .generic(let g):
            let spec = function.generics[Int(g)]
            return ([Self.key(spec.destination)], spec.arguments.map(Self.key), true)
        case .forNext(let a, _), .whileCount(let a, _, _): return ([k(I, a)], [k(I, a)], false)
        case .forCheck(let a, let b, _): return ([], [k(I, a), k(I, b)], false)
        case .jumpIfFalse(let c, _): return ([], [k(I, c)], false)
        case .jump, .report, .ret: return ([], [], false)
        case .site(let s):
            let spec = function.sites[Int(s)]
            let defs = spec.kind == .sample ? [Self.key(spec.value), k(I, spec.lastInstance)] : [k(I, spec.lastInstance)]
            return (defs, [], false)
        case .load(let l):
            let spec = function.loads[Int(l)]
            return ([Self.key(spec.destination), k(I, spec.instanceRegister)], spec.indexRegisters.map { k(I, $0) }, false)
        case .gather(let g): return ([Self.key(function.gathers[Int(g)].destination)], [], false)
        case .call(let c):
            let spec = function.calls[Int(c)]
            return ((spec.destination.map { [Self.key($0)] } ?? []) + [k(I, spec.counter)], spec.arguments.map(Self.key), false)
        }
    }

    func slices() -> [SliceSpec] {
        let code = function.code
        let effects = code.map(effects)
        var definitions: [Int: [Int]] = [:]
        for (pc, e) in effects.enumerated() { for d in e.defs { definitions[d, default: []].append(pc) } }
        // Registers that may depend on a random choice, to a fixpoint over the loops.
        var random = randomParameters
        for (pc, c) in code.enumerated() {
            switch c {
            case .site, .load, .gather: random.formUnion(effects[pc].defs)
            case .call(let k) where randomCallees.contains(function.calls[Int(k)].callee): random.formUnion(effects[pc].defs)
            default: break
            }
        }
        var changed = true
        while changed {
            changed = false
            for (pc, e) in effects.enumerated() where e.pure || { if case .call = code[pc] { true } else { false } }() {
                if e.uses.contains(where: random.contains) {
                    for d in e.defs where random.insert(d).inserted { changed = true }
                }
            }
        }
        var choiceSource: [Int: Int32] = [:]
        for spec in function.sites where spec.kind == .sample { choiceSource[Self.key(spec.value)] = spec.lastInstance }
        for spec in function.loads { choiceSource[Self.key(spec.destination)] = spec.instanceRegister }
        var registerOf: [Int: Reg] = [:]
        for r in function.registerOfValue.values { registerOf[Self.key(r)] = r }

        return function.sites.map { spec in
            var needed: [Int] = spec.arguments.map(Self.key)
            if spec.kind != .sample { needed.append(Self.key(spec.value)) }
            var included = Set<Int>()
            var leaves = Set<Int>()
            var eligible = true
            var snapshots: [Reg] = []
            var choiceLeaves: [ChoiceLeaf] = []
            while let r = needed.popLast() {
                if leaves.contains(r) { continue }
                let defs = definitions[r] ?? []
                // Only what depends on a choice is recomputed: a deterministic register (a datum
                // `y[i]`, a constant) keeps the value it had when the site ran, read from its snapshot.
                if defs.count == 1, effects[defs[0]].pure, random.contains(r) {
                    if included.insert(defs[0]).inserted { needed += effects[defs[0]].uses }
                    continue
                }
                leaves.insert(r)
                let reg = registerOf[r] ?? Reg(file: Reg.File(rawValue: UInt8(r >> 32)) ?? .real, index: Int32(r & 0xFFFF_FFFF),
                                               typeID: 0)
                if let source = choiceSource[r] {
                    choiceLeaves.append(ChoiceLeaf(register: reg, instanceRegister: source))
                } else if random.contains(r) {
                    eligible = false
                } else {
                    snapshots.append(reg)
                }
            }
            let order = included.sorted()
            return SliceSpec(code: order.map { code[$0] }, snapshots: snapshots,
                             choiceLeaves: choiceLeaves, eligible: eligible,
                             leafMasks: Self.leafMasks(order, effects, snapshots: snapshots, choiceLeaves: choiceLeaves),
                             direct: DirectScore(spec, snapshots: snapshots, choiceLeaves: choiceLeaves, codeIsEmpty: order.isEmpty),
                             selectors: selectors(spec, order, effects, choiceLeaves))
        }
    }
}

extension Slicer {
    /// For each choice leaf, its `LeafSelector` when the slice reads it only as an element of `makeArray`s
    /// whose arrays are only indexed (`indexR`) by one other int choice leaf, and neither is an argument.
    func selectors(_ spec: SiteSpec, _ order: [Int], _ effects: [(defs: [Int], uses: [Int], pure: Bool)],
                   _ choiceLeaves: [ChoiceLeaf]) -> [LeafSelector?] {
        let code = function.code
        var direct = Set(spec.arguments.map(Self.key))
        if spec.kind != .sample { direct.insert(Self.key(spec.value)) }
        var usesOf: [Int: [Int]] = [:]
        for pc in order { for u in effects[pc].uses { usesOf[u, default: []].append(pc) } }
        let leafKeys = choiceLeaves.map { Self.key($0.register) }
        return leafKeys.enumerated().map { p, leaf -> LeafSelector? in
            guard !direct.contains(leaf), let uses = usesOf[leaf], !uses.isEmpty else { return nil }
            var selector: Int?
            var elements: [Int] = []
            for pc in uses {
                guard case .makeArray(let d, let a) = code[pc] else { return nil }
                let array = Self.key(.object, d)
                guard !direct.contains(array), let reads = usesOf[array], !reads.isEmpty else { return nil }
                for read in reads {
                    guard case .indexR(_, let indexed, let i, _) = code[read], Self.key(.object, indexed) == array,
                          let q = leafKeys.firstIndex(of: Self.key(.int, i)), q != p, selector == nil || selector == q else { return nil }
                    selector = q
                }
                for (e, r) in function.arrays[Int(a)].elements.enumerated() where Self.key(r) == leaf { elements.append(e) }
            }
            return selector.map { LeafSelector(selector: $0, elements: elements) }
        }
    }

    /// The leaves each instruction of a slice reads, directly or through earlier instructions.
    static func leafMasks(_ order: [Int], _ effects: [(defs: [Int], uses: [Int], pure: Bool)],
                          snapshots: [Reg], choiceLeaves: [ChoiceLeaf]) -> [UInt64] {
        let leaves = snapshots.map(key) + choiceLeaves.map { key($0.register) }
        guard leaves.count <= 64 else { return Array(repeating: .max, count: order.count) }
        var mask: [Int: UInt64] = [:]
        for (k, r) in leaves.enumerated() { mask[r] = 1 << UInt64(k) }
        var masks: [UInt64] = []
        masks.reserveCapacity(order.count)
        for pc in order {
            // A use defined by a later instruction (around a loop) is unknown: always re-run.
            let m = effects[pc].uses.reduce(UInt64(0)) { $0 | (mask[$1] ?? .max) }
            for d in effects[pc].defs { mask[d] = m }
            masks.append(m)
        }
        return masks
    }
}

/// Per-instance snapshots and parent instances, gathered during a recording run.
struct RescoringRecorder {
    struct Entry: Sendable {
        var real: Int32
        var int: Int32
        var object: Int32
        var choice: Int32
    }
    var entries: [Entry] = []
    var reals: [Double] = []
    var ints: [Int] = []
    var objects: [Obj] = []
    var parents: [Int] = []
    var edges: [(parent: Int, child: Int)] = []

    mutating func record(_ slice: SliceSpec, instance: Int, _ s: VMState, _ rb: Int, _ ib: Int, _ ob: Int) {
        entries.append(Entry(real: Int32(reals.count), int: Int32(ints.count), object: Int32(objects.count), choice: Int32(parents.count)))
        for r in slice.snapshots {
            switch r.file {
            case .real: reals.append(s.reals[rb + Int(r.index)])
            case .int: ints.append(s.ints[ib + Int(r.index)])
            case .object: objects.append(s.objects[ob + Int(r.index)])
            }
        }
        for leaf in slice.choiceLeaves {
            let parent = s.ints[ib + Int(leaf.instanceRegister)]
            parents.append(parent)
            edges.append((parent, instance))
        }
    }
}

/// The recorded slices' inputs of a static trace and each choice's children; immutable once
/// built, so traces copied from one another share it.
final class RescoringIndex: Sendable {
    let entries: [RescoringRecorder.Entry]
    let reals: [Double]
    let ints: [Int]
    let objects: [Obj]
    let parents: [Int]
    let childStart: [Int32]
    let children: [Int32]

    init(_ recorder: RescoringRecorder, instanceCount: Int) {
        entries = recorder.entries
        reals = recorder.reals
        ints = recorder.ints
        objects = recorder.objects
        parents = recorder.parents
        let unique = Set(recorder.edges.map { Pair(parent: $0.parent, child: $0.child) })
        var counts = [Int32](repeating: 0, count: instanceCount + 1)
        for e in unique { counts[e.parent + 1] += 1 }
        for k in 0..<instanceCount { counts[k + 1] += counts[k] }
        var fill = counts
        var children = [Int32](repeating: 0, count: unique.count)
        for e in unique.sorted(by: { ($0.parent, $0.child) < ($1.parent, $1.child) }) {
            children[Int(fill[e.parent])] = Int32(e.child)
            fill[e.parent] += 1
        }
        childStart = counts
        self.children = children
    }

    struct Pair: Hashable { var parent: Int; var child: Int }
}

/// The old log densities of the instances an update re-scored; the first four are held inline,
/// so that an update of a small Markov blanket (the common case) allocates nothing.
struct DensityLog: RandomAccessCollection, Sendable {
    private(set) var count = 0
    var startIndex: Int { 0 }
    var endIndex: Int { count }
    private var inline: (Int, Double, Int, Double, Int, Double, Int, Double) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var overflow: [(Int, Double)] = []

    mutating func append(_ instance: Int, _ logDensity: Double) {
        switch count {
        case 0: inline.0 = instance; inline.1 = logDensity
        case 1: inline.2 = instance; inline.3 = logDensity
        case 2: inline.4 = instance; inline.5 = logDensity
        case 3: inline.6 = instance; inline.7 = logDensity
        default: overflow.append((instance, logDensity))
        }
        count += 1
    }

    subscript(k: Int) -> (Int, Double) {
        switch k {
        case 0: (inline.0, inline.1)
        case 1: (inline.2, inline.3)
        case 2: (inline.4, inline.5)
        case 3: (inline.6, inline.7)
        default: overflow[k - 4]
        }
    }
}

/// What a local update changed: the choice's old value and the densities it re-scored.
public struct LocalUndo: Sendable {
    var instance = 0
    var oldValue = 0.0
    var oldLogPrior = 0.0
    var oldLogLikelihood = 0.0
    var oldDensities = DensityLog()
    var wasStale = false
    /// Supports that depend on other choices, as they were (usually none).
    var oldSupports: [(Int, Support)] = []
}

extension Obj {
    /// Whether two objects certainly hold the same elements: the same array storage (O(1)).
    func sharesStorage(with other: Obj) -> Bool {
        switch (self, other) {
        case (.none, .none): true
        case (.reals(let a), .reals(let b)): a.withUnsafeBufferPointer { p in b.withUnsafeBufferPointer { q in p.baseAddress == q.baseAddress && p.count == q.count } }
        case (.ints(let a), .ints(let b)): a.withUnsafeBufferPointer { p in b.withUnsafeBufferPointer { q in p.baseAddress == q.baseAddress && p.count == q.count } }
        case (.matrix(let a), .matrix(let b)):
            a.rows == b.rows && a.columns == b.columns
                && a.elements.withUnsafeBufferPointer { p in b.elements.withUnsafeBufferPointer { q in p.baseAddress == q.baseAddress } }
        default: false
        }
    }

    /// Whether two objects hold the same elements: the same storage, or short arrays equal bit for bit
    /// (the probabilities `[0.2, 0.3, 0.5]` each instance of a loop records in its own array).
    func holdsSameElements(as other: Obj) -> Bool {
        if sharesStorage(with: other) { return true }
        switch (self, other) {
        case (.reals(let a), .reals(let b)):
            guard a.count == b.count, a.count <= 64 else { return false }
            for k in a.indices where a[k].bitPattern != b[k].bitPattern { return false }
            return true
        case (.ints(let a), .ints(let b)):
            return a.count == b.count && a.count <= 64 && a == b
        default:
            return false
        }
    }
}

extension CompiledProgram {
    /// Whether every site of the program can be re-scored alone.
    var rescoringSupported: Bool {
        functions.allSatisfy { f in f.slices.allSatisfy(\.eligible) }
    }

    /// Builds the rescoring index of a trace by re-running it with its choices fixed and the recorder on.
    func buildRescoring(_ trace: inout VMTrace) throws(ModelError) {
        var s = initialState(arguments: trace.arguments.objects, scalars: trace.arguments.scalars)
        var ctx = RunContext(trace: VMTrace(program: self, arguments: trace.arguments))
        ctx.constraints = trace.latentChoices()
        ctx.requireConstraints = true
        ctx.recorder = RescoringRecorder()
        var rng = RandomStream(seed: 0)
        try run(&s, &ctx, &rng)
        guard let recorder = ctx.recorder, recorder.entries.count == trace.instances.count else {
            throw ModelError(.other, "internal error: the trace could not be replayed for local updates")
        }
        trace.rescoring = RescoringIndex(recorder, instanceCount: trace.instances.count)
    }

    /// The log density of instance `j` re-evaluated from its slice and the trace's current values;
    /// `reuse` says the previous call re-scored the same site with the same choice values, so the
    /// scratch registers still hold its slice's results.
    func rescore(_ j: Int, _ trace: inout VMTrace, _ index: RescoringIndex, reuse: Bool = false) throws(ModelError) -> Double {
        if let plan = directScores[Int(trace.instances[j].site)] {
            if let logDensity = scoreDirectly(plan, j, &trace, index) { return logDensity }
            // Direct scores leave the scratch registers alone, so they hold no slice of this site to reuse.
            return try rescoreSlice(j, &trace, index, reuse: false, tables(site: Int(trace.instances[j].site)))
        }
        return try rescoreSlice(j, &trace, index, reuse: reuse, tables(site: Int(trace.instances[j].site)))
    }

    /// `rescore` with the site's tables fetched by the caller (once for a run of instances of one site).
    func rescore(_ j: Int, _ trace: inout VMTrace, _ index: RescoringIndex, reuse: Bool, _ t: SliceTables) throws(ModelError) -> Double {
        if let plan = directScores[Int(trace.instances[j].site)] {
            if let logDensity = scoreDirectly(plan, j, &trace, index) { return logDensity }
            return try rescoreSlice(j, &trace, index, reuse: false, t)
        }
        return try rescoreSlice(j, &trace, index, reuse: reuse, t)
    }

    /// A `DirectScore` site's log density; nil when its parameters are out of range, so that the
    /// slice path raises the error with the site's address.
    @inline(__always)
    func scoreDirectly(_ plan: DirectScore, _ j: Int, _ trace: inout VMTrace, _ index: RescoringIndex) -> Double? {
        let entry = index.entries[j]
        @inline(__always) func read(_ o: DirectOperand) -> Double {
            switch o.source {
            case .realSnapshot: index.reals[Int(entry.real) + Int(o.slot)]
            case .intSnapshot: Double(index.ints[Int(entry.int) + Int(o.slot)])
            case .choice: trace.instances[index.parents[Int(entry.choice) + Int(o.slot)]].value
            }
        }
        let n = plan.argumentCount
        let a = n > 0 ? read(plan.a0) : 0
        let b = n > 1 ? read(plan.a1) : 0
        let c = n > 2 ? read(plan.a2) : 0
        if plan.kind == .sample && !plan.hasFixedSupport {
            guard let d = try? ScalarDistribution.make(plan.family, a, b, c) else { return nil }
            trace.supports[j] = d.support
            return d.logDensity(trace.instances[j].value)
        }
        return ScalarDistribution.logDensity(plan.family, at: plan.kind == .sample ? trace.instances[j].value : read(plan.value), a, b, c)
    }

    /// Re-scores instance `j` by running its slice in the scratch registers; an error names the instance's
    /// address as the trace recorded it (the scratch registers hold only what the slice reads).
    func rescoreSlice(_ j: Int, _ trace: inout VMTrace, _ index: RescoringIndex, reuse: Bool, _ t: SliceTables) throws(ModelError) -> Double {
        do throws(ModelError) {
            try evaluateSlice(j, &trace, index, reuse: reuse, t)
            return try densityFromScratch(j, &trace, t)
        } catch {
            var named = error
            named.address = trace.address(j)
            throw named
        }
    }

    /// Instance `j`'s log density from the distribution arguments in the scratch registers: a scalar
    /// family with a fixed support straight from its registers, anything else through `distribution`.
    @inline(__always)
    func densityFromScratch(_ j: Int, _ trace: inout VMTrace, _ t: SliceTables) throws(ModelError) -> Double {
        let hot = t.hot
        if let id = hot.family, hot.hasFixedSupport, hot.kind != .factor {
            let n = hot.argumentCount
            let a = n > 0 ? readReal(hot.a0, &trace.scratch, 0, 0) : 0
            let b = n > 1 ? readReal(hot.a1, &trace.scratch, 0, 0) : 0
            let c = n > 2 ? readReal(hot.a2, &trace.scratch, 0, 0) : 0
            let x = hot.kind == .sample ? trace.instances[j].value : readReal(hot.value, &trace.scratch, 0, 0)
            // A bad parameter takes the full path below, which names it.
            if let logDensity = ScalarDistribution.logDensity(id, at: x, a, b, c) { return logDensity }
        }
        return density(try distribution(t.spec, &trace.scratch, Int.max, 0, 0, 0), of: j, t.spec, &trace)
    }

    /// What re-scoring an instance of site `global` reads of the compiled program.
    func tables(site global: Int) -> SliceTables {
        let fn = sites[global].function, local = sites[global].local
        return SliceTables(function: fn, spec: functions[fn].sites[local], slice: functions[fn].slices[local],
                           hot: functions[fn].hotSites[local], realCount: functions[fn].realCount,
                           intCount: functions[fn].intCount, objectCount: functions[fn].objectCount)
    }

    /// Instance `j`'s log density under its re-evaluated distribution, the observed value read from the scratch registers.
    @inline(__always)
    func density(_ d: LiveDistribution, of j: Int, _ spec: SiteSpec, _ trace: inout VMTrace) -> Double {
        switch spec.kind {
        case .sample:
            // A support that depends on other choices (b ~ Uniform(0, 1 - a)) moves with them;
            // random walks on the unconstrained scale read it.
            switch d {
            case .scalar(let sd):
                if spec.fixedSupport == nil { trace.supports[j] = sd.support }
                return sd.logDensity(trace.instances[j].value)
            case .generic(let any):
                if spec.fixedSupport == nil { trace.supports[j] = any.support }
                return any.logDensity(trace.value(j))
            }
        case .observe:
            switch d {
            case .scalar(let sd): return sd.logDensity(readReal(spec.value, &trace.scratch, 0, 0))
            case .generic(let any): return any.logDensity(value(of: spec.value, trace.scratch, 0, 0, 0))
            }
        case .factor:
            return trace.scratch.reals[Int(spec.value.index)]
        }
    }

    /// The distribution of instance `j` re-evaluated from its slice and the trace's current values
    /// (`rescore` without the density). An error names the instance's address as the trace recorded
    /// it: the scratch registers hold only what the slice reads, which need not include its indices.
    func rescoredDistribution(_ j: Int, _ trace: inout VMTrace, _ index: RescoringIndex, reuse: Bool) throws(ModelError) -> LiveDistribution {
        do throws(ModelError) {
            try evaluateSlice(j, &trace, index, reuse: reuse)
            let global = Int(trace.instances[j].site)
            return try distribution(functions[sites[global].function].sites[sites[global].local], &trace.scratch, Int.max, 0, 0, 0)
        } catch {
            var named = error
            named.address = trace.address(j)
            throw named
        }
    }

    /// Loads instance `j`'s snapshots and choice leaves into the scratch registers and runs its slice
    /// (the instructions whose leaves changed, when `reuse`), leaving the distribution's arguments there.
    /// Returns the bits of the leaves that changed (all ones when not reusing).
    @discardableResult
    func evaluateSlice(_ j: Int, _ trace: inout VMTrace, _ index: RescoringIndex, reuse: Bool) throws(ModelError) -> UInt64 {
        try evaluateSlice(j, &trace, index, reuse: reuse, tables(site: Int(trace.instances[j].site)))
    }

    @discardableResult
    func evaluateSlice(_ j: Int, _ trace: inout VMTrace, _ index: RescoringIndex, reuse: Bool, _ t: SliceTables) throws(ModelError) -> UInt64 {
        let fn = t.function
        let slice = t.slice
        let counts = (t.realCount, t.intCount, t.objectCount)
        if trace.scratch.reals.count < counts.0 { trace.scratch.reals = Array(repeating: 0, count: counts.0) }
        if trace.scratch.ints.count < counts.1 { trace.scratch.ints = Array(repeating: 0, count: counts.1) }
        if trace.scratch.objects.count < counts.2 { trace.scratch.objects = Array(repeating: .none, count: counts.2) }
        let entry = index.entries[j]
        var r = Int(entry.real), i = Int(entry.int), o = Int(entry.object), c = Int(entry.choice)
        var changed: UInt64 = 0
        var bit: UInt64 = 1
        for reg in slice.snapshots {
            switch reg.file {
            case .real:
                if trace.scratch.reals[Int(reg.index)] != index.reals[r] { changed |= bit }
                trace.scratch.reals[Int(reg.index)] = index.reals[r]; r += 1
            case .int:
                if trace.scratch.ints[Int(reg.index)] != index.ints[i] { changed |= bit }
                trace.scratch.ints[Int(reg.index)] = index.ints[i]; i += 1
            case .object:
                // The same elements need no assignment (and no reference counting).
                if !trace.scratch.objects[Int(reg.index)].holdsSameElements(as: index.objects[o]) {
                    changed |= bit
                    trace.scratch.objects[Int(reg.index)] = index.objects[o]
                }
                o += 1
            }
            bit = bit << 1
        }
        for leaf in slice.choiceLeaves {
            let parent = index.parents[c]
            c += 1
            switch leaf.register.file {
            case .real:
                if trace.scratch.reals[Int(leaf.register.index)] != trace.instances[parent].value { changed |= bit }
                trace.scratch.reals[Int(leaf.register.index)] = trace.instances[parent].value
            case .int:
                if trace.scratch.ints[Int(leaf.register.index)] != Int(trace.instances[parent].value) { changed |= bit }
                trace.scratch.ints[Int(leaf.register.index)] = Int(trace.instances[parent].value)
            case .object:
                changed |= bit
                trace.scratch.objects[Int(leaf.register.index)] = toObj(trace.value(parent), type: type(of: leaf.register)) ?? .none
            }
            bit = bit << 1
        }
        let all = !reuse || slice.snapshots.count + slice.choiceLeaves.count > 64
        for (k, code) in slice.code.enumerated() where all || slice.leafMasks[k] & changed != 0 {
            try executePure(code, &trace.scratch, 0, 0, 0, fn, Int.max)
        }
        return all ? .max : changed
    }

    /// Sets one latent choice and re-scores it and its children, writing what it changed into `undo`
    /// (the caller's, fresh, so that it is not copied on the way back); returns the change in the log joint,
    /// or nil when the value is not a scalar.
    func updateLocally(_ trace: inout VMTrace, latent index: Int, to value: Value, undo: inout LocalUndo) throws(ModelError) -> Double? {
        let id = Int(trace.latentInstances[index])
        guard trace.objectValues.isEmpty || trace.objectValues[id] == nil, let x = value.asReal else { return nil }
        if trace.rescoring == nil { try buildRescoring(&trace) }
        guard let rescoring = trace.rescoring else { return nil }
        // Field by field: `undo` arrives fresh, and assigning a whole new one would copy out the old first.
        undo.instance = id
        undo.oldValue = trace.instances[id].value
        undo.oldLogPrior = trace.logPrior
        undo.oldLogLikelihood = trace.logLikelihood
        undo.wasStale = trace.deterministicStale
        trace.instances[id].value = x
        let start = Int(rescoring.childStart[id]), end = Int(rescoring.childStart[id + 1])
        var deltaPrior = 0.0, deltaLikelihood = 0.0
        do throws(ModelError) {
            var previousSite: Int32 = -1
            for k in (start - 1)..<end {
                let j = k < start ? id : Int(rescoring.children[k])
                let old = trace.instances[j].logDensity
                let site = trace.instances[j].site
                // A child that reads the choice only through an array another of its choices indexes
                // elsewhere (an observation of another mixture component) keeps its density, as in
                // chooseValue; the reuse of scratch registers compares values, so skipping is safe for it.
                if k >= start, selectorSites[Int(site)], independent(j, of: id, tables(site: Int(site)), rescoring, trace) { continue }
                if !trace.supports.isEmpty, let support = trace.supports[j] { undo.oldSupports.append((j, support)) }
                let new = try rescore(j, &trace, rescoring, reuse: site == previousSite)
                previousSite = site
                if new.isNaN {
                    throw ModelError(.notFinite, "log density of '\(trace.address(j))' is not a number",
                                     location: sites[Int(trace.instances[j].site)].location, address: trace.address(j))
                }
                undo.oldDensities.append(j, old)
                trace.instances[j].logDensity = new
                if siteKinds[Int(site)] == .sample { deltaPrior += new - old } else { deltaLikelihood += new - old }
            }
        } catch {
            revertLocally(&trace, undo)
            throw error
        }
        trace.logPrior += deltaPrior
        trace.logLikelihood += deltaLikelihood
        trace.deterministicStale = true
        return deltaPrior + deltaLikelihood
    }

    func revertLocally(_ trace: inout VMTrace, _ undo: LocalUndo) {
        trace.instances[undo.instance].value = undo.oldValue
        for (j, density) in undo.oldDensities { trace.instances[j].logDensity = density }
        for (j, support) in undo.oldSupports { trace.supports[j] = support }
        trace.logPrior = undo.oldLogPrior
        trace.logLikelihood = undo.oldLogLikelihood
        trace.deterministicStale = undo.wasStale
    }
}
