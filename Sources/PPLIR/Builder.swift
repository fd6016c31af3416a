import PPLDiagnostics
import PPLDistributions

/// Builds a function instruction by instruction, with a stack of open regions; lowering and tests use it.
public struct FunctionBuilder: Sendable {
    public private(set) var function: Function
    private var open: [Region] = [Region()]
    /// Where emitted instructions come from, until changed.
    public var location: SourceLocation?

    public init(name: String, kind: Function.Kind, parameters: [(String, ValueType)], returnType: ValueType?,
                location: SourceLocation? = nil) {
        function = Function(name: name, kind: kind, returnType: returnType, location: location)
        for (name, type) in parameters {
            let value = function.newValue(type, name: name)
            function.parameters.append(Parameter(name: name, value: value))
        }
        self.location = location
    }

    public func parameter(_ index: Int) -> ValueID { function.parameters[index].value }
    public func type(of value: ValueID) -> ValueType { function.type(of: value) }

    public mutating func newValue(_ type: ValueType, name: String? = nil) -> ValueID {
        function.newValue(type, name: name)
    }

    /// Appends an instruction defining one value of `type` (or none when `type` is nil).
    @discardableResult
    public mutating func emit(_ op: Op, _ type: ValueType?, name: String? = nil, at location: SourceLocation? = nil) -> ValueID {
        if let type {
            let value = function.newValue(type, name: name)
            append(Instruction(op, results: [value], at: location ?? self.location))
            return value
        }
        append(Instruction(op, results: [], at: location ?? self.location))
        return ValueID(-1)
    }

    public mutating func append(_ instruction: Instruction) {
        open[open.count - 1].instructions.append(instruction)
    }

    public mutating func constant(_ x: Double) -> ValueID { emit(.constant(.real(x)), .real) }
    public mutating func constant(_ n: Int) -> ValueID { emit(.constant(.int(n)), .int) }
    public mutating func constant(_ b: Bool) -> ValueID { emit(.constant(.bool(b)), .bool) }

    /// Opens a nested region whose arguments are fresh values of these types.
    public mutating func beginRegion(arguments: [(ValueType, String?)] = []) -> [ValueID] {
        let values = arguments.map { function.newValue($0.0, name: $0.1) }
        open.append(Region(arguments: values))
        return values
    }

    public mutating func endRegion() -> Region {
        open.removeLast()
    }

    /// Emits `for %i in lower ..< upper` carrying values; `body` gets the induction variable and
    /// the carried values and returns the next carried values.
    @discardableResult
    public mutating func forLoop(_ lower: ValueID, _ upper: ValueID, carrying initial: [ValueID] = [],
                                 induction name: String? = nil, at location: SourceLocation? = nil,
                                 body: (inout FunctionBuilder, ValueID, [ValueID]) -> [ValueID]) -> [ValueID] {
        let types = initial.map { (type(of: $0), function.values[$0.raw].name) }
        let arguments = beginRegion(arguments: [(.int, name)] + types)
        let next = body(&self, arguments[0], Array(arguments.dropFirst()))
        emit(.yield(next), nil)
        let region = endRegion()
        let results = types.map { function.newValue($0.0, name: $0.1) }
        append(Instruction(.forLoop(ForLoop(lower: lower, upper: upper, initial: initial, body: region)),
                           results: results, at: location ?? self.location))
        return results
    }

    /// Emits `if`; each branch returns the values it yields, of `resultTypes`.
    @discardableResult
    public mutating func ifElse(_ condition: ValueID, resultTypes: [ValueType] = [], names: [String?]? = nil,
                                at location: SourceLocation? = nil,
                                then: (inout FunctionBuilder) -> [ValueID],
                                otherwise: (inout FunctionBuilder) -> [ValueID]) -> [ValueID] {
        _ = beginRegion()
        emit(.yield(then(&self)), nil)
        let thenRegion = endRegion()
        _ = beginRegion()
        emit(.yield(otherwise(&self)), nil)
        let elseRegion = endRegion()
        let results = resultTypes.enumerated().map { function.newValue($0.element, name: names?[$0.offset]) }
        append(Instruction(.ifElse(IfElse(condition: condition, then: thenRegion, otherwise: elseRegion)),
                           results: results, at: location ?? self.location))
        return results
    }

    /// The finished function; every region opened has been closed.
    public mutating func finish() -> Function {
        var result = function
        result.body = open[0]
        return result
    }
}
