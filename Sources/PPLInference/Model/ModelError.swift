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

    public var description: String {
        var out = ""
        if let location { out += "\(location): " }
        out += "error: \(message)"
        if let address { out += " (at address '\(address)')" }
        return out
    }
}
