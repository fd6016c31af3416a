import PPLDiagnostics
import PPLDistributions

/// Prints a module in its stable text form; tests of passes compare it before and after.
///
/// Constants are printed inline where they are used; values take their source names
/// (`%p`, `%p.1` when a name repeats) or a number.
public struct Printer {
    public var showLocations: Bool
    public init(showLocations: Bool = true) { self.showLocations = showLocations }

    public func print(_ module: Module) -> String {
        var out = module.functions.map { print($0) }.joined(separator: "\n")
        out += module.facts.description
        return out
    }

    public func print(_ function: Function) -> String {
        var state = FunctionPrinter(function: function, showLocations: showLocations)
        return state.run()
    }
}

private struct FunctionPrinter {
    let function: Function
    let showLocations: Bool
    var names: [Int: String] = [:]
    var constants: [Int: Constant] = [:]
    var used: Set<String> = []
    var counter = 0
    var lines: [String] = []

    init(function: Function, showLocations: Bool) {
        self.function = function
        self.showLocations = showLocations
    }

    mutating func run() -> String {
        collectConstants(function.body)
        let parameters = function.parameters.map { "\(define($0.value)): \(function.type(of: $0.value))" }
        var header = "\(function.kind.rawValue) \(function.name)(\(parameters.joined(separator: ", ")))"
        if let type = function.returnType { header += " -> \(type)" }
        lines.append(header + " {")
        region(function.body, depth: 1)
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    mutating func collectConstants(_ region: Region) {
        for instruction in region.instructions {
            if case .constant(let c) = instruction.op, let r = instruction.result { constants[r.raw] = c }
            for nested in instruction.op.regions { collectConstants(nested) }
        }
    }

    mutating func define(_ value: ValueID) -> String {
        if let name = names[value.raw] { return name }
        var name: String
        if let hint = function.values[value.raw].name, !hint.isEmpty {
            name = "%" + hint
            var k = 1
            while used.contains(name) { name = "%\(hint).\(k)"; k += 1 }
        } else {
            repeat { name = "%\(counter)"; counter += 1 } while used.contains(name)
        }
        used.insert(name)
        names[value.raw] = name
        return name
    }

    func use(_ value: ValueID) -> String {
        if let c = constants[value.raw] {
            switch c {
            case .real(let x): return formatReal(x)
            case .int(let n): return String(n)
            case .bool(let b): return String(b)
            }
        }
        return names[value.raw] ?? "%?\(value.raw)"
    }

    func list(_ values: [ValueID]) -> String { values.map { use($0) }.joined(separator: ", ") }

    func address(_ address: AddressExpr) -> String {
        var out = "@"
        for (k, component) in address.components.enumerated() {
            switch component {
            case .name(let n): out += k == 0 ? n : "." + n
            case .index(let v): out += "[\(use(v))]"
            }
        }
        return out
    }

    mutating func emit(_ text: String, depth: Int, location: SourceLocation?) {
        var line = String(repeating: "  ", count: depth) + text
        if showLocations, let location {
            let width = 56
            line += String(repeating: " ", count: max(2, width - line.count)) + location.description
        }
        lines.append(line)
    }

    mutating func region(_ region: Region, depth: Int) {
        for instruction in region.instructions { self.instruction(instruction, depth: depth) }
    }

    mutating func results(_ instruction: Instruction) -> String {
        if instruction.results.isEmpty { return "" }
        return instruction.results.map { define($0) }.joined(separator: ", ") + " = "
    }

    func typed(_ instruction: Instruction) -> String {
        guard let r = instruction.result else { return "" }
        return " : \(function.type(of: r))"
    }

    mutating func instruction(_ instruction: Instruction, depth: Int) {
        let loc = instruction.location
        switch instruction.op {
        case .constant:
            return
        case .unary(let op, let a):
            let lhs = results(instruction)
            emit("\(lhs)\(op.rawValue) \(use(a))\(typed(instruction))", depth: depth, location: loc)
        case .binary(let op, let a, let b):
            let lhs = results(instruction)
            emit("\(lhs)\(op.rawValue) \(use(a)), \(use(b))\(typed(instruction))", depth: depth, location: loc)
        case .toReal(let a):
            let lhs = results(instruction)
            emit("\(lhs)real \(use(a))\(typed(instruction))", depth: depth, location: loc)
        case .convert(let a):
            let lhs = results(instruction)
            emit("\(lhs)convert \(use(a))\(typed(instruction))", depth: depth, location: loc)
        case .builtin(let f, let args):
            let lhs = results(instruction)
            emit("\(lhs)\(f.rawValue)(\(list(args)))\(typed(instruction))", depth: depth, location: loc)
        case .array(let xs):
            let lhs = results(instruction)
            emit("\(lhs)array [\(list(xs))]\(typed(instruction))", depth: depth, location: loc)
        case .index(let a, let i):
            let lhs = results(instruction)
            emit("\(lhs)index \(use(a)), \(use(i))\(typed(instruction))", depth: depth, location: loc)
        case .sample(let addr, let family, let args):
            let lhs = results(instruction)
            emit("\(lhs)sample \(address(addr)) \(family)(\(list(args)))\(typed(instruction))", depth: depth, location: loc)
        case .observe(let addr, let family, let args, let value):
            emit("observe \(address(addr)) \(family)(\(list(args))), \(use(value))", depth: depth, location: loc)
        case .factor(let v):
            emit("factor \(use(v))", depth: depth, location: loc)
        case .load(let addr):
            let lhs = results(instruction)
            emit("\(lhs)load \(address(addr))\(typed(instruction))", depth: depth, location: loc)
        case .gather(let name):
            let lhs = results(instruction)
            emit("\(lhs)gather @\(name)\(typed(instruction))", depth: depth, location: loc)
        case .report(let addr, let v):
            emit("report \(address(addr)), \(use(v))", depth: depth, location: loc)
        case .setIndex(let a, let i, let v):
            let lhs = results(instruction)
            emit("\(lhs)set \(use(a)), \(use(i)), \(use(v))\(typed(instruction))", depth: depth, location: loc)
        case .call(let callee, let args):
            let lhs = results(instruction)
            emit("\(lhs)call \(callee)(\(list(args)))\(typed(instruction))", depth: depth, location: loc)
        case .forLoop(let loop):
            let lhs = results(instruction)
            let args = loop.body.arguments
            let induction = define(args[0])
            var carried = ""
            if !loop.initial.isEmpty {
                let pairs = zip(args.dropFirst(), loop.initial).map { "\(define($0.0)) = \(use($0.1))" }
                carried = " iter(\(pairs.joined(separator: ", ")))"
            }
            emit("\(lhs)for \(induction) in \(use(loop.lower)) ..< \(use(loop.upper))\(carried) {", depth: depth, location: loc)
            region(loop.body, depth: depth + 1)
            emit("}", depth: depth, location: nil)
        case .ifElse(let branch):
            let lhs = results(instruction)
            emit("\(lhs)if \(use(branch.condition)) {", depth: depth, location: loc)
            region(branch.then, depth: depth + 1)
            emit("} else {", depth: depth, location: nil)
            region(branch.otherwise, depth: depth + 1)
            emit("}", depth: depth, location: nil)
        case .whileLoop(let loop):
            let lhs = results(instruction)
            let pairs = zip(loop.before.arguments, loop.initial).map { "\(define($0.0)) = \(use($0.1))" }
            emit("\(lhs)while iter(\(pairs.joined(separator: ", "))) max \(loop.maxIterations) {", depth: depth, location: loc)
            region(loop.before, depth: depth + 1)
            let bodyArgs = loop.body.arguments.map { define($0) }.joined(separator: ", ")
            emit("} do (\(bodyArgs)) {", depth: depth, location: nil)
            region(loop.body, depth: depth + 1)
            emit("}", depth: depth, location: nil)
        case .yield(let xs):
            if !xs.isEmpty { emit("yield \(list(xs))", depth: depth, location: nil) }
        case .condition(let c, let xs):
            emit("condition \(use(c))\(xs.isEmpty ? "" : ", " + list(xs))", depth: depth, location: nil)
        case .ret(let v):
            emit(v.map { "return \(use($0))" } ?? "return", depth: depth, location: loc)
        }
    }
}
