import PPLDistributions

/// A way of updating one latent choice given all the others.
public enum GibbsKernel: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Pick per address: conjugate, else enumerate, else slice, else mh.
    case auto
    /// An exact draw from a closed-form full conditional the recogniser found.
    case conjugate
    /// Score every value of a finite discrete choice over its Markov blanket and draw one.
    case enumerate
    /// Slice sampling on the unconstrained scale (Neal 2003).
    case slice
    /// A Metropolis-Hastings step with the MH engine's single-site proposals.
    case mh

    public var description: String { rawValue }
}

/// Which kernel updates which addresses: entries name addresses (a bare `z` covers every
/// `z[...]`), the most specific entry wins, and addresses no entry covers get `fallback`.
/// A sweep visits the entries' addresses in the entries' order, then the others in program order.
public struct GibbsSchedule: Sendable, Equatable, CustomStringConvertible {
    public var entries: [(address: Address, kernel: GibbsKernel)]
    public var fallback: GibbsKernel

    public init(_ entries: [(address: Address, kernel: GibbsKernel)] = [], fallback: GibbsKernel = .auto) {
        self.entries = entries
        self.fallback = fallback
    }

    public static let auto = GibbsSchedule()

    /// Parses `z=enumerate,mu=conjugate,sigma=slice` (also `:` for `=`, `;` between entries); `auto` alone, or an entry `*=mh`, sets the fallback.
    public init(parsing text: String) throws(GibbsScheduleError) {
        let separators: Set<Character> = [",", ";", "\n"]
        let items = text.split(whereSeparator: { separators.contains($0) }).map { String($0).trimmedForSchedule }
            .filter { !$0.isEmpty }
        var pairs: [(address: String, kernel: String)] = []
        for item in items {
            if GibbsKernel(rawValue: item) != nil, items.count == 1 {
                pairs.append(("*", item))
                continue
            }
            guard let cut = item.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw GibbsScheduleError("'\(item)' is not a schedule entry; write e.g. 'z=enumerate,mu=conjugate'")
            }
            pairs.append((String(item[..<cut]).trimmedForSchedule, String(item[item.index(after: cut)...]).trimmedForSchedule))
        }
        try self.init(entries: pairs)
    }

    /// Builds a schedule from (address, kernel name) pairs in sweep order, as a query's
    /// `with gibbs(z: enumerate, mu: conjugate)` options give them; `*` sets the fallback.
    public init(entries pairs: [(address: String, kernel: String)]) throws(GibbsScheduleError) {
        var entries: [(Address, GibbsKernel)] = []
        var fallback = GibbsKernel.auto
        for (name, kernelName) in pairs {
            guard let kernel = GibbsKernel(rawValue: kernelName) else {
                throw GibbsScheduleError("unknown kernel '\(kernelName)' for '\(name)'; kernels are: "
                                         + GibbsKernel.allCases.map(\.rawValue).joined(separator: ", "))
            }
            if name == "*" {
                fallback = kernel
                continue
            }
            let address: Address
            do { address = try Address(parsing: name) } catch {
                throw GibbsScheduleError("in the schedule entry '\(name)': \(error.description)")
            }
            if entries.contains(where: { $0.0 == address }) {
                throw GibbsScheduleError("'\(address)' appears twice in the schedule")
            }
            entries.append((address, kernel))
        }
        self.entries = entries
        self.fallback = fallback
    }

    /// The kernel asked for at this address and the entry that asked (nil: the fallback).
    func kernel(for address: Address) -> (GibbsKernel, Int?) {
        var best: Int?
        for (k, entry) in entries.enumerated() where entry.address.covers(address) {
            if let b = best, entries[b].address.components.count >= entry.address.components.count { continue }
            best = k
        }
        if let best { return (entries[best].kernel, best) }
        return (fallback, nil)
    }

    public var description: String {
        var parts = entries.map { "\($0.address)=\($0.kernel)" }
        if fallback != .auto || parts.isEmpty { parts.append(parts.isEmpty ? fallback.rawValue : "*=\(fallback)") }
        return parts.joined(separator: ",")
    }

    public static func == (a: GibbsSchedule, b: GibbsSchedule) -> Bool {
        a.fallback == b.fallback && a.entries.count == b.entries.count
            && zip(a.entries, b.entries).allSatisfy { $0.0.address == $0.1.address && $0.0.kernel == $0.1.kernel }
    }
}

public struct GibbsScheduleError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "error: gibbs: \(message)" }
}

extension Address {
    /// The site this choice belongs to: every index replaced by `*` (`mu[2]` → `mu[*]`, `f[1].x` → `f[*].x`).
    public var site: String {
        var out = ""
        for component in components {
            switch component {
            case .name(let n): out += out.isEmpty ? n : "." + n
            case .index: out += "[*]"
            }
        }
        return out
    }
}

extension String {
    fileprivate var trimmedForSchedule: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}
