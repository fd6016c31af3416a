import PPLDistributions

/// A structured, stable name for a random choice: `p`, `z[3]`, `step[2].x`.
///
/// Choices made inside the k-th call of `f` at a call site nest under `f[k]`.
/// The same spelling is used for output columns, JSON keys, `--do`, `--given`
/// and Gibbs schedules.
public struct Address: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public enum Component: Hashable, Sendable {
        case name(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component]) { self.components = components }

    public init(_ name: String) { self.components = [.name(name)] }

    /// Parses `a`, `z[3][1]`, `step[2].x`; the literal form is only for known-good text.
    public init(stringLiteral text: String) {
        self = (try? Address(parsing: text)) ?? Address(text)
    }

    /// Parses the spelling used in flags and schedules.
    public init(parsing text: String) throws(AddressSyntaxError) {
        var components: [Component] = []
        var chars = Array(text.unicodeScalars)[...]
        func isNameStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }
        func isNameChar(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || ("0"..."9").contains(c) }
        var expectName = true
        while let c = chars.first {
            if expectName {
                guard isNameStart(c) else { throw AddressSyntaxError(text: text) }
                var name = ""
                while let d = chars.first, isNameChar(d) { name.unicodeScalars.append(d); chars.removeFirst() }
                components.append(.name(name))
                expectName = false
            } else if c == "[" {
                chars.removeFirst()
                var digits = ""
                while let d = chars.first, ("0"..."9").contains(d) || (d == "-" && digits.isEmpty) {
                    digits.unicodeScalars.append(d); chars.removeFirst()
                }
                guard chars.first == "]", let n = Int(digits) else { throw AddressSyntaxError(text: text) }
                chars.removeFirst()
                components.append(.index(n))
            } else if c == "." {
                chars.removeFirst()
                expectName = true
            } else {
                throw AddressSyntaxError(text: text)
            }
        }
        guard !components.isEmpty, !expectName else { throw AddressSyntaxError(text: text) }
        self.components = components
    }

    public func appending(_ component: Component) -> Address { Address(components + [component]) }
    public func appending(index: Int) -> Address { appending(.index(index)) }

    /// The first name, e.g. `z` for `z[3]`.
    public var root: String {
        if case .name(let n)? = components.first { return n }
        return ""
    }

    /// Whether `self` names `other` or a part of it: a bare `z` covers every `z[...]`.
    public func covers(_ other: Address) -> Bool {
        other.components.count >= components.count && Array(other.components.prefix(components.count)) == components
    }

    public var description: String {
        var out = ""
        for component in components {
            switch component {
            case .name(let n): out += out.isEmpty ? n : "." + n
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }

    /// Orders by components, indices numerically, so `z[2]` precedes `z[10]`.
    public static func < (a: Address, b: Address) -> Bool {
        for (x, y) in zip(a.components, b.components) where x != y {
            switch (x, y) {
            case (.name(let m), .name(let n)): return m < n
            case (.index(let i), .index(let j)): return i < j
            case (.name, .index): return false
            case (.index, .name): return true
            }
        }
        return a.components.count < b.components.count
    }
}

public struct AddressSyntaxError: Error, Sendable, CustomStringConvertible {
    public var text: String
    public var description: String { "'\(text)' is not an address; write e.g. 'p', 'z[3]' or 'step[2].x'" }
}
