import Foundation
import PPLDistributions
import PPLInference

/// A data value that did not fit a model parameter, naming the key or column and what was expected.
public struct DataError: Error, Sendable, CustomStringConvertible {
    public var source: String
    public var message: String
    public init(source: String, _ message: String) {
        self.source = source
        self.message = message
    }
    public var description: String { "\(source): error: \(message)" }
}

/// Reads data files and converts their fields to language values of declared types.
///
/// JSON binds keys by name; CSV binds columns by header name, each column as an array.
/// Int widens to Real; Bool reads as Int 0/1 where an Int is expected.
public enum DataBinding {
    /// Raw fields of a JSON object or CSV file, not yet typed.
    public static func load(path: String) throws(DataError) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(source: path, "cannot read the data file")
        }
        if path.lowercased().hasSuffix(".csv") {
            return try loadCSV(String(decoding: data, as: UTF8.self), source: path)
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            throw DataError(source: path, "not valid JSON: \(error.localizedDescription)")
        }
        guard let fields = object as? [String: Any] else {
            throw DataError(source: path, "the JSON must be an object whose keys name model parameters")
        }
        return fields
    }

    /// Columns of a CSV file with a header row (RFC 4180 via CSVTable); numeric cells become numbers.
    static func loadCSV(_ text: String, source: String) throws(DataError) -> [String: Any] {
        let table: CSVTable
        do { table = try CSVTable(parsing: text, fileName: source) } catch {
            throw DataError(source: "\(error.fileName):\(error.line)", error.message)
        }
        var columns = [[Any]](repeating: [], count: table.header.count)
        for (row, line) in zip(table.rows, table.lines) {
            guard row.count == table.header.count else {
                throw DataError(source: "\(source):\(line)",
                                "row has \(row.count) cells but the header has \(table.header.count)")
            }
            for (i, raw) in row.enumerated() {
                let cell = raw.trimmingCharacters(in: .whitespaces)
                if let n = Int(cell) { columns[i].append(n) }
                else if let x = Double(cell) { columns[i].append(x) }
                else { columns[i].append(cell) }
            }
        }
        var fields: [String: Any] = [:]
        for (name, column) in zip(table.header, columns) { fields[name] = column }
        return fields
    }

    /// Converts one raw field to a value of `type`, naming `key` in errors.
    public static func value(_ raw: Any, as type: ValueType, key: String, source: String) throws(DataError) -> Value {
        func fail(_ what: String) -> DataError {
            DataError(source: source, "'\(key)' must be \(describe(type))\(what)")
        }
        switch type {
        case .real:
            if let n = raw as? NSNumber {
                let x = n.doubleValue
                guard x.isFinite else { throw fail(", got a non-finite number") }
                return .real(x)
            }
            throw fail(", got \(shortDescription(raw))")
        case .int:
            if let n = raw as? NSNumber {
                let x = n.doubleValue
                guard x == x.rounded(), abs(x) < 9.0e15 else { throw fail(", got \(x)") }
                return .int(Int(x))
            }
            throw fail(", got \(shortDescription(raw))")
        case .bool:
            if let n = raw as? NSNumber { return .bool(n.boolValue) }
            throw fail(", got \(shortDescription(raw))")
        case .array(let element):
            guard let items = raw as? [Any] else { throw fail(", got \(shortDescription(raw))") }
            var values: [Value] = []
            values.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                values.append(try value(item, as: element, key: "\(key)[\(i)]", source: source))
            }
            return .array(values)
        case .matrix:
            guard let rows = raw as? [[Any]], let width = rows.first?.count else {
                throw fail(", got \(shortDescription(raw))")
            }
            var elements: [Double] = []
            for (i, row) in rows.enumerated() {
                guard row.count == width else {
                    throw DataError(source: source, "'\(key)' row \(i) has \(row.count) entries, row 0 has \(width)")
                }
                for (j, item) in row.enumerated() {
                    guard case .real(let x) = try value(item, as: .real, key: "\(key)[\(i)][\(j)]", source: source) else {
                        continue
                    }
                    elements.append(x)
                }
            }
            return .matrix(Matrix(rows: rows.count, columns: width, elements: elements))
        }
    }

    static func describe(_ type: ValueType) -> String {
        switch type {
        case .real: "a real number"
        case .int: "an integer"
        case .bool: "a boolean"
        case .array(let element): "an array of \(plural(element))"
        case .matrix: "a matrix (an array of equal-length rows)"
        }
    }

    private static func plural(_ type: ValueType) -> String {
        switch type {
        case .real: "reals"
        case .int: "integers"
        case .bool: "booleans"
        case .array(let element): "arrays of \(plural(element))"
        case .matrix: "matrices"
        }
    }

    private static func shortDescription(_ raw: Any) -> String {
        if raw is String { return "text '\(raw)'" }
        if raw is [Any] { return "an array" }
        if raw is [String: Any] { return "an object" }
        if raw is NSNull { return "null" }
        return "'\(raw)'"
    }
}
