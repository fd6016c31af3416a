/// Which values of each function may depend on a random choice (taint analysis to a fixpoint).
///
/// A value is random when it is drawn (`sample`), read back from the trace (`load`, `gather`),
/// computed from a random value, chosen by a random branch, carried through a loop from one,
/// or a parameter that some call passes a random value.
public struct Randomness: Sendable {
    /// Per function name, the random values.
    public private(set) var random: [String: Set<ValueID>] = [:]
    /// Functions whose return value may be random.
    public private(set) var randomReturn: Set<String> = []

    public init(_ module: Module) {
        var changed = true
        while changed {
            changed = false
            for function in module.functions {
                var set = random[function.name] ?? []
                let before = set.count
                let returnsRandom = visit(function.body, &set, module: module, calls: &changed)
                if returnsRandom, !randomReturn.contains(function.name) {
                    randomReturn.insert(function.name)
                    changed = true
                }
                if set.count != before { changed = true }
                random[function.name] = set
            }
        }
    }

    public func isRandom(_ value: ValueID, in function: String) -> Bool { random[function]?.contains(value) ?? false }

    /// Marks the region's random values; returns whether a `ret` in it returns a random value.
    private mutating func visit(_ region: Region, _ set: inout Set<ValueID>, module: Module, calls changed: inout Bool) -> Bool {
        var returnsRandom = false
        for instruction in region.instructions {
            let op = instruction.op
            let anyRandom = op.operands.contains { set.contains($0) }
            switch op {
            case .sample, .load, .gather:
                set.formUnion(instruction.results)
            case .call(let callee, let args):
                if randomReturn.contains(callee) || (anyRandom && !instruction.results.isEmpty) {
                    set.formUnion(instruction.results)
                }
                if let f = module.function(named: callee) {
                    var calleeSet = random[f.name] ?? []
                    for (p, a) in zip(f.parameters, args) where set.contains(a) && !calleeSet.contains(p.value) {
                        calleeSet.insert(p.value)
                        changed = true
                    }
                    random[f.name] = calleeSet
                }
            case .forLoop(let loop):
                // Carried values are random if their initial or yielded values are, to a fixpoint.
                var again = true
                while again {
                    let before = set.count
                    for (a, v) in zip(loop.body.arguments.dropFirst(), loop.initial) where set.contains(v) { set.insert(a) }
                    if set.contains(loop.lower) || set.contains(loop.upper) { set.insert(loop.body.arguments[0]) }
                    returnsRandom = visit(loop.body, &set, module: module, calls: &changed) || returnsRandom
                    if case .yield(let ys)? = loop.body.instructions.last?.op {
                        for (k, y) in ys.enumerated() where set.contains(y) {
                            set.insert(loop.body.arguments[k + 1])
                            set.insert(instruction.results[k])
                        }
                    }
                    for (r, v) in zip(instruction.results, loop.initial) where set.contains(v) { set.insert(r) }
                    again = set.count != before
                }
            case .ifElse(let branch):
                returnsRandom = visit(branch.then, &set, module: module, calls: &changed) || returnsRandom
                returnsRandom = visit(branch.otherwise, &set, module: module, calls: &changed) || returnsRandom
                for region in [branch.then, branch.otherwise] {
                    if case .yield(let ys)? = region.instructions.last?.op {
                        for (k, y) in ys.enumerated() where set.contains(y) { set.insert(instruction.results[k]) }
                    }
                }
                if set.contains(branch.condition) { set.formUnion(instruction.results) }
            case .whileLoop(let loop):
                var again = true
                while again {
                    let before = set.count
                    for (a, v) in zip(loop.before.arguments, loop.initial) where set.contains(v) { set.insert(a) }
                    returnsRandom = visit(loop.before, &set, module: module, calls: &changed) || returnsRandom
                    if case .condition(let c, let xs)? = loop.before.instructions.last?.op {
                        for (k, x) in xs.enumerated() where set.contains(x) || set.contains(c) {
                            set.insert(loop.body.arguments[k])
                            set.insert(instruction.results[k])
                        }
                    }
                    returnsRandom = visit(loop.body, &set, module: module, calls: &changed) || returnsRandom
                    if case .yield(let ys)? = loop.body.instructions.last?.op {
                        for (k, y) in ys.enumerated() where set.contains(y) { set.insert(loop.before.arguments[k]) }
                    }
                    again = set.count != before
                }
            case .ret(let v):
                if let v, set.contains(v) { returnsRandom = true }
            default:
                if anyRandom { set.formUnion(instruction.results) }
            }
        }
        return returnsRandom
    }
}
