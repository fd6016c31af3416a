import PPLDistributions

/// A run-time failure of a model, naming the source place and the address involved.
public struct ModelError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case badParameter(DistributionError)
        case indexOutOfRange
        case divisionByZero
        case notFinite
        case unsupportedByEngine
        case other
    }

    public var kind: Kind
    public var message: String
    /// `file:line:col` of the statement, when the model comes from source.
    public var location: String?
    public var address: Address?

    public init(_ kind: Kind, _ message: String, location: String? = nil, address: Address? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
        self.address = address
    }

    /// Whether the error makes the value tried zero-density rather than failing the run: a parameter out of range,
    /// a non-finite density or a division by zero at a proposed value (Stan's convention).
    public var rejectsValue: Bool {
        switch kind {
        case .badParameter, .notFinite, .divisionByZero: true
        default: false
        }
    }

    public var description: String {
        var out = ""
        if let location { out += "\(location): " }
        out += "error: \(message)"
        if let address { out += " (at address '\(address)')" }
        return out
    }
}
