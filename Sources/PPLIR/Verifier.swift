import PPLDistributions

/// Checks a module's structural rules: single definition, definition before use within
/// enclosing regions, region terminators, callee and family names and arities, operand types.
public struct Verifier: Sendable {
    public init() {}

    /// Problems found, each naming the function; empty when the module is well formed.
    public func verify(_ module: Module) -> [String] {
        var problems: [String] = []
        if module.function(named: module.entry) == nil { problems.append("entry '\(module.entry)' is not a function") }
        var seen = Set<String>()
        for function in module.functions {
            if !seen.insert(function.name).inserted { problems.append("function '\(function.name)' defined twice") }
            var checker = FunctionVerifier(module: module, function: function)
            checker.run()
            problems += checker.problems.map { "\(function.name): \($0)" }
        }
        return problems
    }
}

private enum TypeKind { case scalarLike, aggregate }

private func kind(_ t: ValueType) -> TypeKind {
    switch t {
    case .array, .matrix: .aggregate
    default: .scalarLike
    }
}

private struct FunctionVerifier {
    let module: Module
    let function: Function
    var problems: [String] = []
    var defined = Set<Int>()
    var scopes: [Set<Int>] = []

    init(module: Module, function: Function) {
        self.module = module
        self.function = function
    }

    mutating func run() {
        scopes = [Set(function.parameters.map(\.value.raw))]
        for p in function.parameters { define(p.value) }
        region(function.body, terminator: .ret)
    }

    enum Terminator { case ret, yield(Int), condition(Int) }

    mutating func define(_ v: ValueID) {
        guard v.raw >= 0, v.raw < function.values.count else { problems.append("value %\(v.raw) has no type"); return }
        if !defined.insert(v.raw).inserted { problems.append("value %\(v.raw) defined twice") }
        scopes[scopes.count - 1].insert(v.raw)
    }

    func visible(_ v: ValueID) -> Bool { scopes.contains { $0.contains(v.raw) } }

    mutating func use(_ v: ValueID, in op: Op) {
        if !visible(v) { problems.append("value %\(v.raw) used before its definition or outside its region in \(op)") }
    }

    func type(_ v: ValueID) -> ValueType? { v.raw >= 0 && v.raw < function.values.count ? function.values[v.raw].type : nil }

    mutating func region(_ region: Region, terminator: Terminator) {
        scopes.append([])
        for a in region.arguments { define(a) }
        for (k, instruction) in region.instructions.enumerated() {
            let isLast = k == region.instructions.count - 1
            check(instruction, isLast: isLast, terminator: terminator)
        }
        let last = region.instructions.last?.op
        switch (terminator, last) {
        case (.ret, .ret?): break
        case (.ret, _):
            if function.returnType != nil { problems.append("function body must end in 'return'") }
        case (.yield(let n), .yield(let xs)?):
            if xs.count != n { problems.append("region yields \(xs.count) values, expected \(n)") }
        case (.yield(let n), _):
            if n > 0 { problems.append("region must end in 'yield' of \(n) values") }
        case (.condition(let n), .condition(_, let xs)?):
            if xs.count != n { problems.append("'condition' passes \(xs.count) values, expected \(n)") }
        case (.condition, _):
            problems.append("'while' condition region must end in 'condition'")
        }
        scopes.removeLast()
    }

    mutating func check(_ instruction: Instruction, isLast: Bool, terminator: Terminator) {
        let op = instruction.op
        for v in op.operands { use(v, in: op) }
        switch op {
        case .binary(let b, let x, let y):
            func isAggregate(_ t: ValueType) -> Bool { if case .scalarLike = kind(t) { false } else { true } }
            if let tx = type(x), let ty = type(y), tx != ty, !(tx.converts(to: .real) && ty.converts(to: .real)),
               !isAggregate(tx), !isAggregate(ty) {
                problems.append("'\(b.rawValue)' of \(tx) and \(ty)")
            }
        case .sample(let address, let family, let args), .observe(let address, let family, let args, _):
            if address.components.isEmpty { problems.append("choice without an address") }
            if let f = Catalogue.family(named: family) {
                if f.parameters.count != args.count {
                    problems.append("\(family) takes \(f.parameters.count) arguments, got \(args.count)")
                }
            } else {
                problems.append("unknown distribution '\(family)'")
            }
            for v in address.indexValues where type(v) != .int && type(v) != .bool {
                problems.append("address index of \(address.root) must be Int")
            }
        case .call(let callee, let args):
            if let f = module.function(named: callee) {
                if f.parameters.count != args.count { problems.append("'\(callee)' takes \(f.parameters.count) arguments, got \(args.count)") }
                if f.kind == .model && callee != module.entry { }
            } else {
                problems.append("call of unknown function '\(callee)'")
            }
        case .ret:
            if !(isLast && scopes.count == 2) { problems.append("'return' must end the function body") }
        case .yield, .condition:
            if !isLast { problems.append("'\(op)' must end its region") }
        default: break
        }
        switch op {
        case .forLoop(let loop):
            if loop.body.arguments.count != loop.initial.count + 1 { problems.append("'for' region arguments do not match carried values") }
            if instruction.results.count != loop.initial.count { problems.append("'for' results do not match carried values") }
            region(loop.body, terminator: .yield(loop.initial.count))
        case .ifElse(let branch):
            region(branch.then, terminator: .yield(instruction.results.count))
            region(branch.otherwise, terminator: .yield(instruction.results.count))
        case .whileLoop(let loop):
            if loop.before.arguments.count != loop.initial.count { problems.append("'while' arguments do not match carried values") }
            region(loop.before, terminator: .condition(loop.body.arguments.count))
            region(loop.body, terminator: .yield(loop.initial.count))
            if instruction.results.count != loop.body.arguments.count { problems.append("'while' results do not match") }
        default: break
        }
        for r in instruction.results { define(r) }
    }
}
