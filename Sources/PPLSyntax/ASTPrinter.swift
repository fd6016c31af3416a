/// Prints a syntax tree as indented S-expressions, one statement per line, expressions fully
/// parenthesised: the form of the parser's golden files and of `ppl check --dump-ast`.
public enum ASTPrinter {
    public static func print(_ program: Program) -> String {
        var out = ""
        for declaration in program.declarations { declarationText(declaration, into: &out) }
        return out
    }

    private static func declarationText(_ declaration: Declaration, into out: inout String) {
        switch declaration {
        case .model(let m):
            out += "(model \(m.name.name) (\(parameters(m.parameters)))\n"
            block(m.body, depth: 1, into: &out)
            out += ")\n"
        case .function(let f):
            out += "(fn \(f.name.name) (\(parameters(f.parameters)))\(f.returnType.map { " -> " + type($0) } ?? "")\n"
            block(f.body, depth: 1, into: &out)
            out += ")\n"
        case .constant(let c):
            out += "(let \(c.name.name)\(c.type.map { ": " + type($0) } ?? "") \(expression(c.value)))\n"
        case .query(let q):
            out += "(\(q.kind.rawValue) \(q.model.name)(\(q.arguments.map(expression).joined(separator: ", ")))"
            if !q.interventions.isEmpty { out += " (do \(bindings(q.interventions)))" }
            if !q.conditions.isEmpty { out += " (given \(bindings(q.conditions)))" }
            if !q.reports.isEmpty { out += " (report \(q.reports.map(expression).joined(separator: " ")))" }
            if let engine = q.engine {
                let options = engine.options.map { "\($0.name.name): \(expression($0.value))" }.joined(separator: ", ")
                out += " (with \(engine.name.name)\(options.isEmpty ? "" : " " + options))"
            }
            out += ")\n"
        }
    }

    private static func parameters(_ parameters: [Parameter]) -> String {
        parameters.map { "\($0.name.name): \(type($0.type))" }.joined(separator: ", ")
    }

    private static func bindings(_ bindings: [AddressBinding]) -> String {
        bindings.map { "\(expression($0.target)) = \(expression($0.value))" }.joined(separator: ", ")
    }

    public static func type(_ t: TypeSyntax) -> String {
        switch t.kind {
        case .named(let name): name
        case .array(let element): "[\(type(element))]"
        }
    }

    private static func block(_ b: Block, depth: Int, into out: inout String) {
        for s in b.statements { statement(s, depth: depth, into: &out) }
    }

    private static func statement(_ s: Statement, depth: Int, into out: inout String) {
        let pad = String(repeating: "  ", count: depth)
        switch s.kind {
        case .tilde(let lhs, let d):
            out += "\(pad)(~ \(expression(lhs)) \(distribution(d)))\n"
        case .observe(let d, let v):
            out += "\(pad)(observe \(distribution(d)) \(expression(v)))\n"
        case .factor(let v):
            out += "\(pad)(factor \(expression(v)))\n"
        case .letBinding(let name, let t, let v):
            out += "\(pad)(let \(name.name)\(t.map { ": " + type($0) } ?? "") \(expression(v)))\n"
        case .varBinding(let name, let t, let v):
            out += "\(pad)(var \(name.name)\(t.map { ": " + type($0) } ?? "") \(expression(v)))\n"
        case .assign(let target, let v):
            out += "\(pad)(= \(expression(target)) \(expression(v)))\n"
        case .forLoop(let variable, let sequence, let body):
            let over = switch sequence {
            case .range(let lower, let upper): "\(expression(lower))..<\(expression(upper))"
            case .array(let array): expression(array)
            }
            out += "\(pad)(for \(variable.name) in \(over)\n"
            block(body, depth: depth + 1, into: &out)
            out += "\(pad))\n"
        case .whileLoop(let condition, let bound, let body):
            out += "\(pad)(while \(expression(condition)) max \(bound.map(expression) ?? "<missing>")\n"
            block(body, depth: depth + 1, into: &out)
            out += "\(pad))\n"
        case .ifElse(let clauses, let elseBlock):
            out += "\(pad)(if\n"
            for clause in clauses {
                out += "\(pad)  (\(expression(clause.condition))\n"
                block(clause.body, depth: depth + 2, into: &out)
                out += "\(pad)  )\n"
            }
            if let elseBlock {
                out += "\(pad)  (else\n"
                block(elseBlock, depth: depth + 2, into: &out)
                out += "\(pad)  )\n"
            }
            out += "\(pad))\n"
        case .returnValue(let v):
            out += "\(pad)(return\(v.map { " " + expression($0) } ?? ""))\n"
        case .expression(let e):
            out += "\(pad)\(expression(e))\n"
        }
    }

    private static func distribution(_ d: DistributionExpr) -> String {
        "\(d.name.name)(\(d.arguments.map(expression).joined(separator: ", ")))"
    }

    /// An expression, every operator application in parentheses.
    public static func expression(_ e: Expr) -> String {
        switch e.kind {
        case .int(let n): "\(n)"
        case .real(let x): "\(x)"
        case .bool(let b): "\(b)"
        case .name(let n): n
        case .array(let xs): "[" + xs.map(expression).joined(separator: ", ") + "]"
        case .index(let base, let index): "\(expression(base))[\(expression(index))]"
        case .field(let base, let name): "\(expression(base)).\(name.name)"
        case .call(let f, let args): "\(f.name)(" + args.map(expression).joined(separator: ", ") + ")"
        case .unary(let op, let x): "(\(op.rawValue)\(expression(x)))"
        case .binary(let op, let l, let r): "(\(expression(l)) \(op.rawValue) \(expression(r)))"
        case .conditional(let c, let t, let f): "(\(expression(c)) ? \(expression(t)) : \(expression(f)))"
        case .invalid: "<invalid>"
        }
    }
}
