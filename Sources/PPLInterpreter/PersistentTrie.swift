/// A sparse persistent array keyed by non-negative Int: a 32-way radix trie with path copying,
/// plus a tail of up to 32 consecutive keys held in a plain array.
///
/// Copying is O(1) (two references); a write copies only the nodes on the key's path that are
/// shared, O(log32 n), and writes in place when unshared. Appends (`x[t]` after `x[t-1]`) and
/// reads of recent keys touch only the tail, which a copy shares until its first write (at
/// most 32 elements copied). So particles that share the history of `x[t]` after resampling
/// pay O(1) amortised, not O(t), to extend it (Bagwell 2001; Hickey's persistent vectors
/// with a tail; Birch's lazy copies address the same O(T^2) trap).
struct PersistentTrie<Element: Sendable>: Sendable {
    final class Node: @unchecked Sendable {
        // Interior nodes use `children`, leaves use `slots`; both are fixed at 32 entries.
        // A node is written only while its trie holds the one reference (checked before every
        // write), so the run-time exclusivity checks on every read would be pure cost.
        @exclusivity(unchecked) var children: [Node?]
        @exclusivity(unchecked) var slots: [Element?]

        init(leaf: Bool) {
            children = leaf ? [] : Array(repeating: nil, count: 32)
            slots = leaf ? Array(repeating: nil, count: 32) : []
        }

        init(slots: [Element?]) {
            children = []
            self.slots = slots
        }

        init(copying other: Node) {
            children = other.children
            slots = other.slots
        }
    }

    private var root: Node?
    /// Levels below the root: keys up to 32^(depth+1) - 1 fit.
    private var depth = 0
    /// Nodes copied because they were shared, since creation (the O(N)-per-step test reads it).
    private(set) var nodesCopied = 0

    private var tail: [Element] = []
    private var tailStart = 0

    init() {}

    var isEmpty: Bool { root == nil && tail.isEmpty }

    /// Becomes a copy of `other`: the trie is shared (O(1)), the tail's few elements are copied
    /// into this value's own tail buffer, so appends after resampling write in place.
    mutating func assign(from other: UnsafePointer<PersistentTrie>) {
        if root !== other.pointee.root { root = other.pointee.root }
        depth = other.pointee.depth
        nodesCopied = other.pointee.nodesCopied
        tailStart = other.pointee.tailStart
        // Read in place (a copy of the tail array would be retained and released).
        let (source, count) = other.pointee.tail.withUnsafeBufferPointer { ($0.baseAddress, $0.count) }
        if tail.count == count {
            guard count > 0, let s = source else { return }
            tail.withUnsafeMutableBufferPointer { target in
                guard let t = target.baseAddress, t != s else { return }
                t.update(from: s, count: count)
            }
        } else {
            tail.removeAll(keepingCapacity: true)
            if tail.capacity < 32 { tail.reserveCapacity(32) }
            if let s = source { tail.append(contentsOf: UnsafeBufferPointer(start: s, count: count)) }
        }
    }

    /// Values at keys 0, 1, 2, ... up to the first unset key, leaf by leaf rather than key by key.
    func prefixValues<T>(_ transform: (Element) -> T) -> [T] {
        var out: [T] = []
        var key = 0
        var leaf: Node?
        var leafBase = -1
        while true {
            let offset = key &- tailStart
            if offset >= 0 && offset < tail.count {
                out.append(transform(tail[offset]))
            } else {
                if key & ~31 != leafBase {
                    leaf = self.leaf(containing: key)
                    leafBase = key & ~31
                }
                guard let value = leaf?.slots[key & 31] else { return out }
                out.append(transform(value))
            }
            key += 1
        }
    }

    private func leaf(containing key: Int) -> Node? {
        guard key >= 0, var node = root, key >> (5 * (depth + 1)) == 0 else { return nil }
        var level = depth
        while level > 0 {
            guard let child = node.children[(key >> (5 * level)) & 31] else { return nil }
            node = child
            level -= 1
        }
        return node
    }

    func get(_ key: Int) -> Element? {
        let offset = key &- tailStart
        if offset >= 0 && offset < tail.count { return tail[offset] }
        return trieGet(key)
    }

    /// Sets a slot; `key` must be non-negative.
    mutating func set(_ key: Int, _ value: Element) {
        let offset = key &- tailStart
        if offset >= 0 && offset < tail.count {
            tail[offset] = value
            return
        }
        if tail.isEmpty {
            tailStart = key
            tail.reserveCapacity(32)
            tail.append(value)
            return
        }
        if offset == tail.count {
            if tail.count == 32 {
                if tailStart & 31 == 0 {
                    installLeaf(tailStart, tail)
                } else {
                    for (k, v) in tail.enumerated() { trieSet(tailStart + k, v) }
                }
                tail.removeAll(keepingCapacity: true)
                tailStart = key
            }
            tail.append(value)
            return
        }
        trieSet(key, value)
    }

    private func trieGet(_ key: Int) -> Element? {
        guard key >= 0, var node = root else { return nil }
        if key >> (5 * (depth + 1)) != 0 { return nil }
        var level = depth
        while level > 0 {
            guard let child = node.children[(key >> (5 * level)) & 31] else { return nil }
            node = child
            level -= 1
        }
        return node.slots[key & 31]
    }

    /// Writes 32 consecutive values starting at a multiple of 32 as one leaf, built with its
    /// values (a leaf of nils filled afterwards would allocate its slots twice).
    private mutating func installLeaf(_ base: Int, _ values: [Element]) {
        let leaf = Node(slots: values.map { Optional($0) })
        guard depth > 0 || root != nil || base >> 5 != 0 else {
            root = leaf
            return
        }
        if root == nil { root = Node(leaf: true); depth = 0 }
        while base >> (5 * (depth + 1)) != 0 {
            let top = Node(leaf: false)
            top.children[0] = root
            root = top
            depth += 1
        }
        guard depth > 0 else {
            // The root is the leaf itself.
            root = leaf
            return
        }
        var node = root ?? Node(leaf: false)
        root = nil
        if !isKnownUniquelyReferenced(&node) {
            node = Node(copying: node)
            nodesCopied += 1
        }
        root = node
        var level = depth
        while level > 1 {
            let k = (base >> (5 * level)) & 31
            var child = node.children[k] ?? Node(leaf: false)
            node.children[k] = nil
            if !isKnownUniquelyReferenced(&child) {
                child = Node(copying: child)
                nodesCopied += 1
            }
            node.children[k] = child
            node = child
            level -= 1
        }
        node.children[(base >> 5) & 31] = leaf
    }

    private mutating func trieSet(_ key: Int, _ value: Element) {
        if root == nil { root = Node(leaf: true); depth = 0 }
        while key >> (5 * (depth + 1)) != 0 {
            let top = Node(leaf: false)
            top.children[0] = root
            root = top
            depth += 1
        }
        // Take each node out of its parent while checking it, so the parent's slot is not counted.
        var node = root ?? Node(leaf: true)
        root = nil
        if !isKnownUniquelyReferenced(&node) {
            node = Node(copying: node)
            nodesCopied += 1
        }
        root = node
        var level = depth
        while level > 0 {
            let k = (key >> (5 * level)) & 31
            var child = node.children[k] ?? Node(leaf: level == 1)
            node.children[k] = nil
            if !isKnownUniquelyReferenced(&child) {
                child = Node(copying: child)
                nodesCopied += 1
            }
            node.children[k] = child
            node = child
            level -= 1
        }
        node.slots[key & 31] = value
    }

    /// The number of consecutive keys 0, 1, 2, ... that are set.
    func prefixCount() -> Int {
        var n = 0
        while get(n) != nil { n += 1 }
        return n
    }
}
