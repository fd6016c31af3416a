import PPLDiagnostics
import PPLDistributions

/// An SSA value: defined once, by an instruction result, a block argument or a function parameter.
public struct ValueID: Hashable, Sendable, Comparable {
    public var raw: Int
    public init(_ raw: Int) { self.raw = raw }
    public static func < (a: ValueID, b: ValueID) -> Bool { a.raw < b.raw }
}

/// What the module knows about one value: its type and the source name it came from, for printing.
public struct ValueInfo: Sendable, Hashable {
    public var type: ValueType
    public var name: String?
    public init(type: ValueType, name: String? = nil) {
        self.type = type
        self.name = name
    }
}

/// A straight-line list of instructions; nested control flow lives in the instructions' own regions.
public struct Region: Sendable, Hashable {
    /// Values bound on entry (a `for` loop's induction variable and carried values).
    public var arguments: [ValueID]
    public var instructions: [Instruction]

    public init(arguments: [ValueID] = [], instructions: [Instruction] = []) {
        self.arguments = arguments
        self.instructions = instructions
    }
}

/// One IR instruction: an operation, the values it defines and where it came from.
public struct Instruction: Sendable, Hashable {
    public var results: [ValueID]
    public var op: Op
    public var location: SourceLocation?

    public init(_ op: Op, results: [ValueID] = [], at location: SourceLocation? = nil) {
        self.op = op
        self.results = results
        self.location = location
    }

    public var result: ValueID? { results.first }
}

/// A parameter of a model or function.
public struct Parameter: Sendable, Hashable {
    public var name: String
    public var value: ValueID
    public init(name: String, value: ValueID) {
        self.name = name
        self.value = value
    }
}

/// A model or user function: parameters, a body region and the types of its values.
public struct Function: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case model, function }
    public var name: String
    public var kind: Kind
    public var parameters: [Parameter]
    public var returnType: ValueType?
    public var body: Region
    /// Indexed by `ValueID.raw`.
    public var values: [ValueInfo]
    public var location: SourceLocation?

    public init(name: String, kind: Kind, parameters: [Parameter] = [], returnType: ValueType? = nil,
                body: Region = Region(), values: [ValueInfo] = [], location: SourceLocation? = nil) {
        self.name = name
        self.kind = kind
        self.parameters = parameters
        self.returnType = returnType
        self.body = body
        self.values = values
        self.location = location
    }

    public func type(of value: ValueID) -> ValueType { values[value.raw].type }

    /// A fresh value of the given type.
    public mutating func newValue(_ type: ValueType, name: String? = nil) -> ValueID {
        values.append(ValueInfo(type: type, name: name))
        return ValueID(values.count - 1)
    }
}

/// A lowered program: its functions, the model to run and what analyses found.
public struct Module: Sendable, Hashable {
    public var functions: [Function]
    /// The name of the model function engines run.
    public var entry: String
    public var facts: ModuleFacts

    public init(functions: [Function], entry: String, facts: ModuleFacts = ModuleFacts()) {
        self.functions = functions
        self.entry = entry
        self.facts = facts
    }

    public func function(named name: String) -> Function? { functions.first { $0.name == name } }
    public func functionIndex(named name: String) -> Int? { functions.firstIndex { $0.name == name } }
    public var entryFunction: Function? { function(named: entry) }
}
