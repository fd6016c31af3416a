import PPLDiagnostics

// The syntax tree of a .ppl file. Every node is a Sendable value with a
// SourceSpan; expressions, statements and declarations also carry a NodeID,
// unique within one parse, so later phases attach facts (types, name
// resolution, latent or observed) in side tables without changing the tree.
// Grammar/ppl.ebnf names the rule each node comes from.

/// The identity of one node in one parsed program.
public struct NodeID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let raw: Int
    public init(_ raw: Int) { self.raw = raw }
    public static func < (a: NodeID, b: NodeID) -> Bool { a.raw < b.raw }
    public var description: String { "#\(raw)" }
}

/// A name as written, with its place.
public struct Identifier: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var span: SourceSpan
    public init(_ name: String, span: SourceSpan) {
        self.name = name
        self.span = span
    }
    public var description: String { name }
}

/// A whole file: declarations in source order.
public struct Program: Sendable {
    public var file: SourceFile
    public var declarations: [Declaration]
    /// One past the largest NodeID used in this tree.
    public var nodeCount: Int
    /// UTF-8 ranges of statements and declarations that had syntax errors; later phases stay
    /// quiet inside them, since what they would say follows from the syntax error.
    public var damaged: [Range<Int>]
    public init(file: SourceFile, declarations: [Declaration], nodeCount: Int, damaged: [Range<Int>] = []) {
        self.file = file
        self.declarations = declarations
        self.nodeCount = nodeCount
        self.damaged = damaged
    }

    /// Whether an offset lies in a statement or declaration that had a syntax error.
    public func isDamaged(_ offset: Int) -> Bool { damaged.contains { $0.contains(offset) } }
}

// MARK: - Declarations

/// A top-level item.
public enum Declaration: Sendable {
    case model(ModelDecl)
    case function(FunctionDecl)
    /// `let name = expr` at top level: data or a constant.
    case constant(ConstantDecl)
    /// `infer ...` or `counterfactual ...`.
    case query(QueryDecl)

    public var id: NodeID {
        switch self {
        case .model(let d): d.id
        case .function(let d): d.id
        case .constant(let d): d.id
        case .query(let d): d.id
        }
    }

    public var span: SourceSpan {
        switch self {
        case .model(let d): d.span
        case .function(let d): d.span
        case .constant(let d): d.span
        case .query(let d): d.span
        }
    }
}

/// `model Name(params) { body }`.
public struct ModelDecl: Sendable {
    public var id: NodeID
    public var name: Identifier
    public var parameters: [Parameter]
    public var body: Block
    public var span: SourceSpan
    public init(id: NodeID, name: Identifier, parameters: [Parameter], body: Block, span: SourceSpan) {
        self.id = id
        self.name = name
        self.parameters = parameters
        self.body = body
        self.span = span
    }
}

/// `fn name(params) -> Type { body }`; without `-> Type` the function returns nothing.
public struct FunctionDecl: Sendable {
    public var id: NodeID
    public var name: Identifier
    public var parameters: [Parameter]
    public var returnType: TypeSyntax?
    public var body: Block
    public var span: SourceSpan
    public init(id: NodeID, name: Identifier, parameters: [Parameter], returnType: TypeSyntax?,
                body: Block, span: SourceSpan) {
        self.id = id
        self.name = name
        self.parameters = parameters
        self.returnType = returnType
        self.body = body
        self.span = span
    }
}

/// `name: Type` in a model or function signature.
public struct Parameter: Sendable {
    public var id: NodeID
    public var name: Identifier
    public var type: TypeSyntax
    public var span: SourceSpan
    public init(id: NodeID, name: Identifier, type: TypeSyntax, span: SourceSpan) {
        self.id = id
        self.name = name
        self.type = type
        self.span = span
    }
}

/// `let name = expr` (optionally `let name: Type = expr`) at top level.
public struct ConstantDecl: Sendable {
    public var id: NodeID
    public var name: Identifier
    public var type: TypeSyntax?
    public var value: Expr
    public var span: SourceSpan
    public init(id: NodeID, name: Identifier, type: TypeSyntax?, value: Expr, span: SourceSpan) {
        self.id = id
        self.name = name
        self.type = type
        self.value = value
        self.span = span
    }
}

/// `infer M(args) do(...) given(...) report(...) with engine(...)` or `counterfactual ...`.
public struct QueryDecl: Sendable {
    public enum Kind: String, Sendable, Hashable {
        case infer, counterfactual
    }
    public var id: NodeID
    public var kind: Kind
    public var model: Identifier
    public var arguments: [Expr]
    /// `do(addr = value, ...)`: interventions.
    public var interventions: [AddressBinding]
    /// `given(addr = value, ...)`: conditioning on latent addresses.
    public var conditions: [AddressBinding]
    /// `report(addr, ...)`: what to report; empty means every choice and named quantity.
    public var reports: [Expr]
    /// `with engine(...)`; nil means the default engine.
    public var engine: EngineSpec?
    public var span: SourceSpan
    public init(id: NodeID, kind: Kind, model: Identifier, arguments: [Expr],
                interventions: [AddressBinding], conditions: [AddressBinding], reports: [Expr],
                engine: EngineSpec?, span: SourceSpan) {
        self.id = id
        self.kind = kind
        self.model = model
        self.arguments = arguments
        self.interventions = interventions
        self.conditions = conditions
        self.reports = reports
        self.engine = engine
        self.span = span
    }
}

/// `addr = value` inside `do(...)` or `given(...)`; the target is an expression the checker
/// requires to be an address (`p`, `z[3]`, `step[2].x`).
public struct AddressBinding: Sendable {
    public var target: Expr
    public var value: Expr
    public var span: SourceSpan
    public init(target: Expr, value: Expr, span: SourceSpan) {
        self.target = target
        self.value = value
        self.span = span
    }
}

/// `engine(opt: value, ...)` after `with`.
public struct EngineSpec: Sendable {
    public var name: Identifier
    public var options: [EngineOption]
    public var span: SourceSpan
    public init(name: Identifier, options: [EngineOption], span: SourceSpan) {
        self.name = name
        self.options = options
        self.span = span
    }
}

/// `name: value` inside an engine spec.
public struct EngineOption: Sendable {
    public var name: Identifier
    public var value: Expr
    public var span: SourceSpan
    public init(name: Identifier, value: Expr, span: SourceSpan) {
        self.name = name
        self.value = value
        self.span = span
    }
}

// MARK: - Types

/// A type as written: `Real`, `Int`, `Bool`, `Vector`, `Matrix`, `[T]`.
public struct TypeSyntax: Sendable {
    public indirect enum Kind: Sendable {
        /// A named type; the checker knows Real, Int, Bool, Vector and Matrix.
        case named(String)
        case array(TypeSyntax)
    }
    public var kind: Kind
    public var span: SourceSpan
    public init(_ kind: Kind, span: SourceSpan) {
        self.kind = kind
        self.span = span
    }
}

// MARK: - Statements

/// `{ statements }`.
public struct Block: Sendable {
    public var statements: [Statement]
    public var span: SourceSpan
    public init(statements: [Statement], span: SourceSpan) {
        self.statements = statements
        self.span = span
    }
}

/// One statement inside a model or function body.
public struct Statement: Sendable {
    public var id: NodeID
    public var kind: Kind
    public var span: SourceSpan

    public enum Kind: Sendable {
        /// `lhs ~ D(args)`: a latent choice or an observation (the checker decides which).
        case tilde(lhs: Expr, distribution: DistributionExpr)
        /// `observe(D(args), value)`.
        case observe(distribution: DistributionExpr, value: Expr)
        /// `factor(logWeight)`: adds to the log weight.
        case factor(Expr)
        /// `let name = value` or `let name: Type = value`: immutable; reported when in a model.
        case letBinding(name: Identifier, type: TypeSyntax?, value: Expr)
        /// `var name = value`: a mutable local (not reported).
        case varBinding(name: Identifier, type: TypeSyntax?, value: Expr)
        /// `target = value` where target is a `var` or an element of one.
        case assign(target: Expr, value: Expr)
        /// `for name in range-or-array { body }`.
        case forLoop(variable: Identifier, sequence: ForSequence, body: Block)
        /// `while condition max bound { body }`; `maxSteps` is nil when the bound is missing.
        case whileLoop(condition: Expr, maxSteps: Expr?, body: Block)
        /// `if c { } else if c { } else { }`.
        case ifElse(clauses: [IfClause], elseBlock: Block?)
        /// `return` or `return value`.
        case returnValue(Expr?)
        /// A call evaluated for its choices, e.g. `step(t)`.
        case expression(Expr)
    }

    public init(id: NodeID, kind: Kind, span: SourceSpan) {
        self.id = id
        self.kind = kind
        self.span = span
    }
}

/// What a `for` loop runs over.
public enum ForSequence: Sendable {
    /// `lower..<upper`.
    case range(lower: Expr, upper: Expr)
    /// Any array value.
    case array(Expr)
}

/// One `if condition { body }` arm of an if/else-if chain.
public struct IfClause: Sendable {
    public var condition: Expr
    public var body: Block
    public init(condition: Expr, body: Block) {
        self.condition = condition
        self.body = body
    }
}

/// `Name(args)` on the right of `~` or first in `observe`; Name is looked up in the catalogue.
public struct DistributionExpr: Sendable {
    public var id: NodeID
    public var name: Identifier
    public var arguments: [Expr]
    public var span: SourceSpan
    public init(id: NodeID, name: Identifier, arguments: [Expr], span: SourceSpan) {
        self.id = id
        self.name = name
        self.arguments = arguments
        self.span = span
    }
}

// MARK: - Expressions

public enum UnaryOperator: String, Sendable, Hashable {
    case negate = "-"
    case not = "!"
}

public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case and = "&&", or = "||"
}

/// An expression.
public struct Expr: Sendable {
    public var id: NodeID
    public var kind: Kind
    public var span: SourceSpan

    public indirect enum Kind: Sendable {
        case real(Double)
        case int(Int)
        case bool(Bool)
        /// A variable, parameter, constant or loop variable.
        case name(String)
        /// `[a, b, c]`.
        case array([Expr])
        /// `base[index]`.
        case index(base: Expr, index: Expr)
        /// `base.name`: only in addresses of queries (`step[2].x`).
        case field(base: Expr, name: Identifier)
        /// `f(args)`: a built-in or a user function.
        case call(callee: Identifier, arguments: [Expr])
        case unary(UnaryOperator, Expr)
        case binary(BinaryOperator, Expr, Expr)
        /// `condition ? then : otherwise`.
        case conditional(condition: Expr, then: Expr, otherwise: Expr)
        /// Stands for an expression that failed to parse; the parser has reported it.
        case invalid
    }

    public init(id: NodeID, kind: Kind, span: SourceSpan) {
        self.id = id
        self.kind = kind
        self.span = span
    }
}
