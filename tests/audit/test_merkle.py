"""The Merkle tree agrees with the Certificate Transparency reference vectors (RFC 6962/9162
hashing), and its proofs verify exactly when the tree they claim is the tree there is."""
import pytest

from permits.audit import merkle

# The reference leaves and tree heads of the CT test suite (sizes 1..8).
DATA = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
        "606162636465666768696a6b6c6d6e6f"]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
LEAVES = [merkle.leaf_hash(bytes.fromhex(d)) for d in DATA]
INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]
CONSISTENCY = [
    (2, 8, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
]


def test_the_empty_tree_and_every_reference_size_hash_as_the_reference_says():
    assert merkle.root([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    for n in range(1, 9):
        assert merkle.root(LEAVES[:n]).hex() == ROOTS[n - 1]


@pytest.mark.parametrize("index, size, proof", INCLUSION)
def test_inclusion_proofs_are_the_reference_ones_and_verify(index, size, proof):
    made = merkle.inclusion_proof(LEAVES[:size], index)
    assert [p.hex() for p in made] == proof
    assert merkle.verify_inclusion(LEAVES[index], index, size, made, bytes.fromhex(ROOTS[size - 1]))


@pytest.mark.parametrize("old, new, proof", CONSISTENCY)
def test_consistency_proofs_are_the_reference_ones_and_verify(old, new, proof):
    made = merkle.consistency_proof(LEAVES[:new], old)
    assert [p.hex() for p in made] == proof
    assert merkle.verify_consistency(old, new, bytes.fromhex(ROOTS[old - 1]),
                                     bytes.fromhex(ROOTS[new - 1]), made)


MANY = [merkle.leaf_hash(bytes([i, i * 7 % 256])) for i in range(37)]


def test_every_inclusion_proof_verifies_and_nothing_else_does():
    for n in range(1, len(MANY) + 1):
        tree, head = MANY[:n], merkle.root(MANY[:n])
        for i in range(n):
            proof = merkle.inclusion_proof(tree, i)
            assert merkle.verify_inclusion(tree[i], i, n, proof, head)
            assert not merkle.verify_inclusion(merkle.leaf_hash(b"forged"), i, n, proof, head)
            if n > 1:
                assert not merkle.verify_inclusion(tree[i], (i + 1) % n, n, proof, head)
            if proof:
                bent = [bytes(32), *proof[1:]]
                assert not merkle.verify_inclusion(tree[i], i, n, bent, head)


def test_every_consistency_proof_verifies_and_a_rewritten_history_does_not():
    for n in range(1, len(MANY) + 1):
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(MANY[:n], m)
            old, new = merkle.root(MANY[:m]), merkle.root(MANY[:n])
            assert merkle.verify_consistency(m, n, old, new, proof)
            forked = merkle.root([merkle.leaf_hash(b"other"), *MANY[1:m]])
            assert not merkle.verify_consistency(m, n, forked, new, proof)
            if m < n:
                assert not merkle.verify_consistency(m, n, old, merkle.root(MANY[:n - 1] + [bytes(32)]), proof)
