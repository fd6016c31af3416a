import PPLDistributions
import PPLSema
import PPLSyntax

/// Evaluates query arguments and top-level `let`s that are data: literals, arrays, names of
/// other constants, negation and arithmetic on numbers.
///
/// Anything richer belongs inside a model, where the VM evaluates it; such an argument is
/// reported as an error naming its place rather than evaluated twice by two interpreters.
struct ConstantEvaluator {
    let checked: CheckedProgram
    private var constants: [String: ConstantDecl] = [:]

    init(_ checked: CheckedProgram) {
        self.checked = checked
        for declaration in checked.program.declarations {
            if case .constant(let c) = declaration { constants[c.name.name] = c }
        }
    }

    /// Every top-level constant that evaluates, by name.
    func allConstants() -> [String: Value] {
        var out: [String: Value] = [:]
        for (name, declaration) in constants {
            if let value = try? evaluate(declaration.value, depth: 0) { out[name] = value }
        }
        return out
    }

    func evaluate(_ expr: Expr) throws(PPLError) -> Value {
        try evaluate(expr, depth: 0)
    }

    private func unsupported(_ expr: Expr) -> PPLError {
        .diagnostics([.error("query arguments must be literals, arrays or names of top-level constants",
                             at: expr.span, notes: [.init("compute this value inside the model instead")])])
    }

    private func evaluate(_ expr: Expr, depth: Int) throws(PPLError) -> Value {
        guard depth < 64 else { throw unsupported(expr) }
        let value: Value
        switch expr.kind {
        case .real(let x): value = .real(x)
        case .int(let n): value = .int(n)
        case .bool(let b): value = .bool(b)
        case .array(let items):
            var values: [Value] = []
            for item in items { values.append(try evaluate(item, depth: depth + 1)) }
            value = .array(values)
        case .name(let name):
            guard let declaration = constants[name] else { throw unsupported(expr) }
            value = try evaluate(declaration.value, depth: depth + 1)
        case .unary(.negate, let inner):
            switch try evaluate(inner, depth: depth + 1) {
            case .real(let x): value = .real(-x)
            case .int(let n): value = .int(-n)
            default: throw unsupported(expr)
            }
        case .binary(let op, let left, let right):
            let a = try evaluate(left, depth: depth + 1), b = try evaluate(right, depth: depth + 1)
            switch (a, b, op) {
            case (.int(let x), .int(let y), .add): value = .int(x &+ y)
            case (.int(let x), .int(let y), .subtract): value = .int(x &- y)
            case (.int(let x), .int(let y), .multiply): value = .int(x &* y)
            default:
                guard let x = a.asReal, let y = b.asReal else { throw unsupported(expr) }
                switch op {
                case .add: value = .real(x + y)
                case .subtract: value = .real(x - y)
                case .multiply: value = .real(x * y)
                case .divide where y != 0: value = .real(x / y)
                default: throw unsupported(expr)
                }
            }
        default:
            throw unsupported(expr)
        }
        // The checker records where an Int literal is used as a Real; honour it.
        if let target = checked.coercions[expr.id] { return coerce(value, to: target) }
        return value
    }

    private func coerce(_ value: Value, to type: ValueType) -> Value {
        switch (value, type) {
        case (.int(let n), .real): .real(Double(n))
        case (.array(let items), .array(let element)): .array(items.map { coerce($0, to: element) })
        default: value
        }
    }
}
