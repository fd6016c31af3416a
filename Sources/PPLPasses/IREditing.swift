import PPLDiagnostics
import PPLDistributions
import PPLIR

/// Appends instructions to an existing function's regions, the way `FunctionBuilder` does for new
/// ones: the causal passes rewrite a body by re-emitting it instruction by instruction.
struct IREmitter {
    var function: Function
    private var open: [[Instruction]] = [[]]
    var location: SourceLocation?

    init(function: Function) { self.function = function }

    func type(of value: ValueID) -> ValueType { function.type(of: value) }

    mutating func newValue(_ type: ValueType, name: String? = nil) -> ValueID { function.newValue(type, name: name) }

    /// Appends an instruction defining one value of `type`, or none when `type` is nil.
    @discardableResult
    mutating func emit(_ op: Op, _ type: ValueType?, name: String? = nil) -> ValueID {
        if let type {
            let value = function.newValue(type, name: name)
            append(Instruction(op, results: [value], at: location))
            return value
        }
        append(Instruction(op, results: [], at: location))
        return ValueID(-1)
    }

    mutating func append(_ instruction: Instruction) { open[open.count - 1].append(instruction) }

    mutating func constant(_ x: Double) -> ValueID { emit(.constant(.real(x)), .real) }
    mutating func constant(_ n: Int) -> ValueID { emit(.constant(.int(n)), .int) }
    mutating func constant(_ b: Bool) -> ValueID { emit(.constant(.bool(b)), .bool) }

    mutating func begin() { open.append([]) }
    mutating func end(arguments: [ValueID] = []) -> Region { Region(arguments: arguments, instructions: open.removeLast()) }

    /// `if condition { then } else { otherwise }` yielding one value of `type`.
    mutating func select(_ condition: ValueID, _ type: ValueType, name: String? = nil,
                         then: (inout IREmitter) throws(DiagnosticList) -> ValueID,
                         otherwise: (inout IREmitter) throws(DiagnosticList) -> ValueID) throws(DiagnosticList) -> ValueID {
        begin()
        let a = try then(&self)
        emit(.yield([a]), nil)
        let thenRegion = end()
        begin()
        let b = try otherwise(&self)
        emit(.yield([b]), nil)
        let elseRegion = end()
        let result = function.newValue(type, name: name)
        append(Instruction(.ifElse(IfElse(condition: condition, then: thenRegion, otherwise: elseRegion)),
                           results: [result], at: location))
        return result
    }

    /// The value as a Real (Int and Bool widen).
    mutating func real(_ v: ValueID) -> ValueID {
        type(of: v) == .real ? v : emit(.toReal(v), .real)
    }

    mutating func binary(_ op: BinaryOp, _ a: ValueID, _ b: ValueID) -> ValueID {
        var a = a, b = b
        let ta = type(of: a), tb = type(of: b)
        if ta != tb, ta == .real || tb == .real { a = real(a); b = real(b) }
        let result: ValueType
        switch op {
        case .lt, .le, .gt, .ge, .eq, .ne, .and, .or: result = .bool
        default: result = type(of: a)
        }
        return emit(.binary(op, a, b), result)
    }

    /// The finished body.
    mutating func finish() -> [Instruction] { open[0] }
}

extension Op {
    /// The same operation reading `f(v)` wherever it read `v` (nested regions untouched).
    func mapOperands(_ f: (ValueID) -> ValueID) -> Op {
        func address(_ a: AddressExpr) -> AddressExpr {
            AddressExpr(a.components.map { if case .index(let v) = $0 { .index(f(v)) } else { $0 } })
        }
        switch self {
        case .constant, .gather: return self
        case .unary(let op, let a): return .unary(op, f(a))
        case .binary(let op, let a, let b): return .binary(op, f(a), f(b))
        case .toReal(let a): return .toReal(f(a))
        case .builtin(let g, let xs): return .builtin(g, xs.map(f))
        case .array(let xs): return .array(xs.map(f))
        case .index(let a, let i): return .index(f(a), f(i))
        case .sample(let a, let family, let args): return .sample(address(a), family: family, arguments: args.map(f))
        case .observe(let a, let family, let args, let v):
            return .observe(address(a), family: family, arguments: args.map(f), value: f(v))
        case .factor(let v): return .factor(f(v))
        case .load(let a): return .load(address(a))
        case .report(let a, let v): return .report(address(a), f(v))
        case .convert(let a): return .convert(f(a))
        case .setIndex(let a, let i, let v): return .setIndex(f(a), f(i), f(v))
        case .call(let callee, let xs): return .call(callee, xs.map(f))
        case .forLoop(var loop):
            loop.lower = f(loop.lower)
            loop.upper = f(loop.upper)
            loop.initial = loop.initial.map(f)
            return .forLoop(loop)
        case .ifElse(var branch):
            branch.condition = f(branch.condition)
            return .ifElse(branch)
        case .whileLoop(var loop):
            loop.initial = loop.initial.map(f)
            return .whileLoop(loop)
        case .yield(let xs): return .yield(xs.map(f))
        case .condition(let c, let xs): return .condition(f(c), xs.map(f))
        case .ret(let v): return .ret(v.map(f))
        }
    }

    /// The same operation with its nested regions replaced, in order.
    func replacingRegions(_ regions: [Region]) -> Op {
        switch self {
        case .forLoop(var loop):
            loop.body = regions[0]
            return .forLoop(loop)
        case .ifElse(var branch):
            branch.then = regions[0]
            branch.otherwise = regions[1]
            return .ifElse(branch)
        case .whileLoop(var loop):
            loop.before = regions[0]
            loop.body = regions[1]
            return .whileLoop(loop)
        default: return self
        }
    }
}

/// The choice sites of a function, by address root, for validating addresses.
struct SiteTable {
    struct Site {
        var indexCount: Int
        /// The indices when all are constants (`z[0]` written out), else nil.
        var constantIndices: [Int]?
        var type: ValueType?
        var family: String
        var location: SourceLocation?
    }
    var latent: [String: [Site]] = [:]
    var observed: [String: [Site]] = [:]
    var loaded: Set<String> = []
    var gathered: Set<String> = []
    /// Latent roots in program order.
    var latentOrder: [String] = []
    var calls: Set<String> = []

    init(_ function: Function, module: Module) {
        var constants: [ValueID: Int] = [:]
        func scan(_ region: Region) {
            for instruction in region.instructions {
                switch instruction.op {
                case .constant(.int(let n)):
                    if let r = instruction.result { constants[r] = n }
                case .sample(let address, let family, _):
                    let site = Site(indexCount: address.indexValues.count,
                                    constantIndices: constantIndices(address),
                                    type: instruction.result.map { function.type(of: $0) }, family: family,
                                    location: instruction.location)
                    if latent[address.root] == nil { latentOrder.append(address.root) }
                    latent[address.root, default: []].append(site)
                case .observe(let address, let family, _, _):
                    observed[address.root, default: []].append(
                        Site(indexCount: address.indexValues.count, constantIndices: constantIndices(address),
                             type: nil, family: family, location: instruction.location))
                case .load(let address): loaded.insert(address.root)
                case .gather(let name): gathered.insert(name)
                case .call(let callee, _): calls.insert(callee)
                default: break
                }
                for nested in instruction.op.regions { scan(nested) }
            }
        }
        func constantIndices(_ address: AddressExpr) -> [Int]? {
            var out: [Int] = []
            for v in address.indexValues {
                guard let n = constants[v] else { return nil }
                out.append(n)
            }
            return out
        }
        scan(function.body)
    }
}

/// Whether a function (or anything it calls) makes a random choice.
func functionMakesChoices(_ name: String, in module: Module, visiting: inout Set<String>) -> Bool {
    guard visiting.insert(name).inserted, let f = module.function(named: name) else { return false }
    func scan(_ region: Region) -> Bool {
        for instruction in region.instructions {
            switch instruction.op {
            case .sample, .observe, .factor: return true
            case .call(let callee, _): if functionMakesChoices(callee, in: module, visiting: &visiting) { return true }
            default: break
            }
            if instruction.op.regions.contains(where: scan) { return true }
        }
        return false
    }
    return scan(f.body)
}

/// Deletes instructions without effects whose results nobody reads, to a fixpoint, so that what
/// only fed an intervened choice (its cut parents' arithmetic) disappears from the printed IR.
func removeDeadCode(_ function: inout Function) {
    func hasEffects(_ op: Op) -> Bool {
        switch op {
        case .sample, .observe, .factor, .report, .call, .yield, .condition, .ret, .whileLoop: return true
        case .forLoop, .ifElse: return op.regions.contains { $0.instructions.contains { hasEffects($0.op) && !isTerminator($0.op) } }
        default: return false
        }
    }
    func isTerminator(_ op: Op) -> Bool {
        if case .yield = op { return true }
        return false
    }
    func countUses(_ region: Region, _ uses: inout [ValueID: Int]) {
        for instruction in region.instructions {
            for v in instruction.op.operands { uses[v, default: 0] += 1 }
            for nested in instruction.op.regions { countUses(nested, &uses) }
        }
    }
    func prune(_ region: Region, _ uses: [ValueID: Int], _ changed: inout Bool) -> Region {
        var out = region
        out.instructions = []
        for instruction in region.instructions {
            let unused = instruction.results.allSatisfy { (uses[$0] ?? 0) == 0 }
            if unused && !hasEffects(instruction.op) {
                changed = true
                continue
            }
            var kept = instruction
            let nested = instruction.op.regions.map { prune($0, uses, &changed) }
            if !nested.isEmpty { kept.op = instruction.op.replacingRegions(nested) }
            out.instructions.append(kept)
        }
        return out
    }
    var changed = true
    while changed {
        changed = false
        var uses: [ValueID: Int] = [:]
        for p in function.parameters { uses[p.value] = uses[p.value] ?? 0 }
        countUses(function.body, &uses)
        function.body = prune(function.body, uses, &changed)
    }
}
