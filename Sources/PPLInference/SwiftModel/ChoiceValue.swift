import PPLDistributions

/// A Swift type that a random choice can hold, convertible to and from the language's `Value`.
///
/// `SwiftModel` uses it to record draws of any `Distribution` in a trace and to
/// read fixed values (constraints, MCMC proposals) back as the distribution's sample type.
public protocol ChoiceValue: Sendable {
    /// The value as the engines and the posterior see it.
    var choiceValue: Value { get }
    /// Reads a value back; nil when it has the wrong shape for this type.
    init?(choiceValue: Value)
    /// Every value of a finite support, in order, as this type's `Value`s; nil when infinite.
    static func finiteValues(of support: Support) -> [Value]?
}

extension ChoiceValue {
    public static func finiteValues(of support: Support) -> [Value]? { nil }
}

extension Double: ChoiceValue {
    public var choiceValue: Value { .real(self) }
    public init?(choiceValue: Value) {
        guard let x = choiceValue.asReal else { return nil }
        self = x
    }
}

/// The largest finite support we list for enumeration; beyond it, enumeration is not sensible.
let maximumListedSupport = 1_000_000

extension Int: ChoiceValue {
    public var choiceValue: Value { .int(self) }
    public init?(choiceValue: Value) {
        switch choiceValue {
        case .int(let n): self = n
        case .bool(let b): self = b ? 1 : 0
        // Integral reals are accepted so that `--init k=3.0` and JSON numbers work.
        case .real(let x) where x.rounded() == x && abs(x) < 9.0e15: self = Int(x)
        default: return nil
        }
    }
    public static func finiteValues(of support: Support) -> [Value]? {
        switch support {
        case .booleans: return [.int(0), .int(1)]
        case .integers(let a, let b) where b >= a && b - a < maximumListedSupport: return (a...b).map(Value.int)
        default: return nil
        }
    }
}

extension Bool: ChoiceValue {
    public var choiceValue: Value { .bool(self) }
    public init?(choiceValue: Value) {
        switch choiceValue {
        case .bool(let b): self = b
        case .int(0): self = false
        case .int(1): self = true
        default: return nil
        }
    }
    public static func finiteValues(of support: Support) -> [Value]? {
        support == .booleans ? [.bool(false), .bool(true)] : nil
    }
}

extension Array: ChoiceValue where Element: ChoiceValue {
    public var choiceValue: Value { .array(map(\.choiceValue)) }
    public init?(choiceValue: Value) {
        guard case .array(let items) = choiceValue else { return nil }
        var out: [Element] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let x = Element(choiceValue: item) else { return nil }
            out.append(x)
        }
        self = out
    }
}
