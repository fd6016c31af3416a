import PPLDiagnostics
import PPLDistributions
import PPLSyntax

/// The identity of one named thing the checker resolved: a parameter, constant, local, loop
/// variable, latent choice, function or model. Lowering maps each to a register or a callee.
public struct SymbolID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let raw: Int
    public init(_ raw: Int) { self.raw = raw }
    public static func < (a: SymbolID, b: SymbolID) -> Bool { a.raw < b.raw }
    public var description: String { "$\(raw)" }
}

/// A named thing and what the checker knows about it.
public struct Symbol: Sendable {
    public enum Kind: Sendable, Hashable {
        /// A model or function parameter, by position.
        case parameter(index: Int)
        /// A top-level `let`: data or a constant.
        case constant
        /// A `let` inside a model: a named deterministic quantity that is reported.
        case reported
        /// A `let` inside a function: an immutable local.
        case local
        /// A `var`: a mutable local.
        case variable
        /// The variable of a `for` loop.
        case loopVariable
        /// A name declared by `~` (a latent choice, or an array of latent choices when the
        /// first site was `x[i] ~ ...`).
        case latent
        case function
        case model
    }

    public var id: SymbolID
    public var name: String
    public var kind: Kind
    /// Nil for functions, models, and values whose type could not be found (already reported).
    public var type: ValueType?
    /// Where it is declared.
    public var span: SourceSpan
    /// The model or function declaration it belongs to; nil at top level.
    public var owner: NodeID?
}

/// What a `~` or `observe` statement does.
public enum ChoiceKind: String, Sendable, Hashable {
    /// A random choice the engines infer; its address is the left side as written.
    case latent
    /// A value scored under the distribution; it adds to the log weight.
    case observation
}

/// Facts about one `~` or `observe` statement.
public struct ChoiceFacts: Sendable {
    public var kind: ChoiceKind
    /// The catalogue family on the right (look it up with `Catalogue.family(named:)`).
    public var family: String
    /// True when the left side is an array of draws scored element by element
    /// (`y ~ Normal(mu, sigma)` with `y: [Real]`): one choice per element, addresses `y[0]`, `y[1]`, ...
    public var vectorised: Bool
    /// The variable the left side is rooted in (`x` for `x[t]`); nil for `observe`.
    public var root: SymbolID?
    /// The type of one draw (the family's draw type; for vectorised choices, an element's).
    public var drawType: ValueType
    /// Argument positions that are arrays where the family takes a scalar (vectorised over).
    public var vectorisedArguments: [Int]
}

/// What a call expression calls.
public enum Callee: Sendable, Hashable {
    case builtin(Builtin)
    case function(SymbolID)
}

/// A user function's or model's signature.
public struct Signature: Sendable {
    public var name: String
    public var symbol: SymbolID
    public var parameters: [(name: String, type: ValueType?)]
    /// The declared return type of a function, or the inferred type of a model's `return`;
    /// nil when there is no value.
    public var returnType: ValueType?
    public var declaration: NodeID
}

/// One component of a choice address written in a query: `step[2].x` is name, index, field.
public enum AddressComponent: Sendable, Hashable, CustomStringConvertible {
    case name(String)
    case index(Int)
    case field(String)

    public var description: String {
        switch self {
        case .name(let n): n
        case .index(let i): "[\(i)]"
        case .field(let f): ".\(f)"
        }
    }
}

/// An address as written in `do`, `given` or `report`, with its value for bindings.
public struct QueryAddress: Sendable {
    public var components: [AddressComponent]
    /// The expression bound to it (nil in `report`).
    public var value: Expr?
    public var span: SourceSpan
    /// The address in the one spelling used everywhere (`z[3]`, `step[2].x`).
    public var text: String { components.map(\.description).joined() }
}

/// A checked `infer` or `counterfactual`.
public struct CheckedQuery: Sendable {
    public var declaration: QueryDecl
    /// The model's symbol.
    public var model: SymbolID
    public var interventions: [QueryAddress]
    public var conditions: [QueryAddress]
    public var reports: [QueryAddress]
    /// The engine's name; the default engine when the query has no `with`.
    public var engine: String
    /// Engine options whose values name choices of the model (`gibbs(schedule: [mu, z])`),
    /// by option name; other options are ordinary expressions with types in `types`.
    public var addressOptions: [String: [QueryAddress]] = [:]
}

/// The output of the checker: the tree plus side tables keyed by NodeID.
///
/// Lowering walks `program` and reads: `types` for every expression's type, `coercions`
/// where an Int is used as a Real (or an Int as a condition), `references` for names,
/// `definitions` for binding sites, `calls` for callees, `choices` for each `~` and `observe`.
public struct CheckedProgram: Sendable {
    public var program: Program
    /// The static type of every expression that checked.
    public var types = NodeTable<ValueType>()
    /// Expressions whose value must be converted to another type where used (Int to Real,
    /// Bool to Int, Int to Bool in a condition); the value is the target type.
    public var coercions = NodeTable<ValueType>()
    /// For each `.name` expression, the symbol it refers to.
    public var references = NodeTable<SymbolID>()
    /// For each binding site, the symbol it declares: Parameter.id, ConstantDecl.id, ModelDecl.id,
    /// FunctionDecl.id, and Statement.id of `let`, `var`, `for` and `~` statements that declare a
    /// latent name (only the first site of `x[i] ~` declares `x`).
    public var definitions = NodeTable<SymbolID>()
    /// For each `.call` expression, what it calls.
    public var calls = NodeTable<Callee>()
    /// For each `~` and `observe` statement (Statement.id), latent or observation and more.
    public var choices = NodeTable<ChoiceFacts>()
    /// Every symbol, indexed by `SymbolID.raw`.
    public var symbols: [Symbol] = []
    /// Models and functions by name.
    public var models: [String: Signature] = [:]
    public var functions: [String: Signature] = [:]
    /// Queries in source order.
    public var queries: [CheckedQuery] = []

    public init(program: Program) {
        self.program = program
        types.reserve(program.nodeCount)
    }

    public func symbol(_ id: SymbolID) -> Symbol { symbols[id.raw] }
}

/// The engines queries may name (DESIGN.md, Conventions).
public enum EngineName {
    public static let all = ["enumerate", "lw", "smc", "mh", "gibbs", "rank"]
    public static let `default` = "smc"
    /// Options that are counts, with their smallest allowed value; other options are the engine's own.
    public static let countOptions: [String: Int] = [
        "particles": 1, "samples": 1, "warmup": 0, "thin": 1, "chains": 1, "seed": 0,
    ]
    /// Words an option may take as its value (`resampling: stratified`, `z: enumerate`,
    /// `proposal: prior`); the engine checks which word fits which option.
    public static let symbolicValues: Set<String> = [
        "multinomial", "systematic", "stratified", "residual",
        "auto", "conjugate", "enumerate", "slice", "mh", "random_walk", "prior", "block",
        "newman", "zermelo", "bayes", "none", "model", "largest", "stop",
    ]
}

/// Facts about nodes, indexed by NodeID. NodeIDs are dense (0 ..< Program.nodeCount), so a
/// slot array beats a dictionary: no hashing, 4 bytes per node plus the facts themselves.
public struct NodeTable<Value: Sendable>: Sendable {
    /// For each NodeID, the index of its fact in `values`, or -1.
    private var slots: [Int32] = []
    private var values: [Value] = []
    private var live = 0

    public init() {}

    mutating func reserve(_ count: Int) { slots.reserveCapacity(count) }

    /// The fact for a node, or nil when there is none.
    public subscript(id: NodeID) -> Value? {
        get {
            guard id.raw >= 0, id.raw < slots.count else { return nil }
            let slot = slots[id.raw]
            return slot >= 0 ? values[Int(slot)] : nil
        }
        set {
            guard id.raw >= 0 else { return }
            if id.raw >= slots.count {
                guard newValue != nil else { return }
                slots.append(contentsOf: repeatElement(-1, count: id.raw - slots.count + 1))
            }
            let slot = slots[id.raw]
            switch (newValue, slot >= 0) {
            case (let value?, true): values[Int(slot)] = value
            case (let value?, false):
                slots[id.raw] = Int32(values.count)
                values.append(value)
                live += 1
            case (nil, true):
                slots[id.raw] = -1
                live -= 1
            case (nil, false): break
            }
        }
    }

    /// The nodes that have a fact, in NodeID order, with their facts.
    public var entries: [(id: NodeID, value: Value)] {
        slots.enumerated().compactMap { i, slot in slot >= 0 ? (id: NodeID(i), value: values[Int(slot)]) : nil }
    }

    public var isEmpty: Bool { live == 0 }
    public var count: Int { live }
}
