"""Role matrix over every privileged function, and EIP-712 replay protection."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from provenance.chain import Call, Chain, ErrorDecoder, Sender, Signer
from provenance.compiler import load_artifact
from provenance.deployment import Deployment, deploy
from provenance.errors import ContractRevert
from provenance.records.registry import LicenceTerms, Right, Status
from provenance.registry import Registry, registration_digest, role_id
from tests.integration.registry.conftest import Actors, advance, now
from tests.integration.registry.helpers import h, reg

Make = Callable[..., Registry]


def _estimate(chain: Chain, signer: Signer, call: Call) -> str | None:
    """None if ``signer`` may make ``call`` now, else the custom error's name (nothing is sent)."""
    try:
        Sender(chain, signer, decoder=ErrorDecoder([load_artifact("DataRegistry").abi])).estimate([call])
    except ContractRevert as exc:
        return exc.name
    return None


def test_role_matrix(as_: Make, actors: Actors, chain: Chain, deployment: Deployment) -> None:
    alice = as_(actors.alice)
    applied = alice.register(reg("rm-applied")).asset_id
    cert = alice.register(reg("rm-cert")).asset_id
    advance(chain, 3600)
    as_(actors.registrar).certify(cert)
    pledge = alice.create_pledge(cert, Right.HOLDING, actors.bob.address, 10, h("loan")).id
    dispute = as_(actors.stranger).file_dispute(applied, h("objection")).id
    admin = as_(actors.admin)
    admin.grant_role("EXCHANGE_ROLE", actors.dave.address)
    t0 = now(chain)
    terms = LicenceTerms(cert, actors.carol.address, h("p"), t0, t0 + 10**6, h("t"))
    c = alice._call
    matrix: dict[str, tuple[Call, set[str]]] = {
        "certify": (c("certify", applied), set()),  # frozen by the objection
        "reject": (c("reject", applied, "bad"), {"registrar"}),
        "revokeCertificate": (c("revokeCertificate", cert, "bad"), {"registrar"}),
        "enforcePledge": (c("enforcePledge", pledge), {"registrar", "arbitrator"}),
        "resolveDispute": (c("resolveDispute", dispute, 1, h("r"), []), {"arbitrator"}),
        "freeze": (c("freeze", cert, h("o")), {"regulator"}),
        "recordSuccession": (
            c("recordSuccession", actors.carol.address, actors.dave.address, 0, h("b")),
            {"registrar"},
        ),
        "setRecognizedRegistry": (c("setRecognizedRegistry", 7, actors.carol.address, True), {"admin"}),
        "setNoticePeriod": (c("setNoticePeriod", 60), {"admin"}),
        "grantLicenceFor": (c("grantLicenceFor", actors.alice.address, terms.as_abi()), {"dave"}),
        "grantRole": (c("grantRole", role_id("REGISTRAR_ROLE"), actors.carol.address), {"admin"}),
    }
    who = {
        "admin": actors.admin,
        "registrar": actors.registrar,
        "arbitrator": actors.arbitrator,
        "regulator": actors.regulator,
        "dave": actors.dave,
        "stranger": actors.stranger,
    }
    failures = []
    for fn, (call, allowed) in matrix.items():
        for name, signer in who.items():
            got = _estimate(chain, signer, call)
            if fn == "certify":
                # Only the role check is under test: everyone else is refused for the role, the
                # registrar for the objection's freeze.
                expect_role_error = name != "registrar"
                if expect_role_error != (got == "AccessControlUnauthorizedAccount"):
                    failures.append((fn, name, got))
                continue
            if name in allowed and got is not None:
                failures.append((fn, name, got))
            if name not in allowed and got != "AccessControlUnauthorizedAccount":
                failures.append((fn, name, got))
    assert not failures
    # unfreeze needs a frozen asset.
    as_(actors.regulator).freeze(cert, h("o"))
    for name, signer in who.items():
        got = _estimate(chain, signer, c("unfreeze", cert, h("o")))
        assert (got is None) == (name == "regulator"), (name, got)


def _signed(
    registry: Registry,
    signer: Signer,
    name: str,
    deadline: int,
    nonce: int,
    chain_id: int | None = None,
    address: str | None = None,
) -> tuple[object, bytes]:
    r = reg(name)
    digest = registration_digest(
        r, signer.address, nonce, deadline, chain_id or registry.chain.chain_id, address or registry.address
    )
    v, rr, s = signer.sign_hash(digest)
    return r, rr.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([27 + v])


def test_eip712_relay_and_replays(as_: Make, actors: Actors, chain: Chain) -> None:
    relayer = as_(actors.bob)
    deadline = now(chain) + 600
    r, sig = _signed(relayer, actors.alice, "relayed", deadline, 0)
    applied = relayer.register_for(r, actors.alice.address, deadline, sig)  # type: ignore[arg-type]
    asset = relayer.asset(applied.asset_id)
    assert asset.applicant == actors.alice.address and asset.status is Status.APPLIED
    assert relayer.nonce(actors.alice.address) == 1
    # (1) replay after the nonce was used (the same content would also collide: use a new one)
    r2, sig2 = _signed(relayer, actors.alice, "second", deadline, 0)
    with pytest.raises(ContractRevert) as exc:
        relayer.register_for(r2, actors.alice.address, deadline, sig2)  # type: ignore[arg-type]
    assert exc.value.name == "RegistryInvalidSigner"
    # (2) signed for another chain id
    r3, sig3 = _signed(relayer, actors.alice, "third", deadline, 1, chain_id=1)
    with pytest.raises(ContractRevert) as exc:
        relayer.register_for(r3, actors.alice.address, deadline, sig3)  # type: ignore[arg-type]
    assert exc.value.name == "RegistryInvalidSigner"
    # (3) signed for another registry contract
    other = deploy(chain, Sender(chain, actors.admin))
    r4, sig4 = _signed(relayer, actors.alice, "fourth", deadline, 1, address=other.contract("DataRegistry").address)
    with pytest.raises(ContractRevert) as exc:
        relayer.register_for(r4, actors.alice.address, deadline, sig4)  # type: ignore[arg-type]
    assert exc.value.name == "RegistryInvalidSigner"
    # ... while the same signature is good on the registry it was made for.
    other_reg = Registry(chain, other.contract("DataRegistry").address, Sender(chain, actors.bob))
    r4b, sig4b = _signed(other_reg, actors.alice, "fourth", deadline, 0)
    other_reg.register_for(r4b, actors.alice.address, deadline, sig4b)  # type: ignore[arg-type]
    # (4) after its deadline
    r5, sig5 = _signed(relayer, actors.alice, "fifth", deadline, 1)
    advance(chain, 601)
    with pytest.raises(ContractRevert) as exc:
        relayer.register_for(r5, actors.alice.address, deadline, sig5)  # type: ignore[arg-type]
    assert exc.value.name == "RegistryExpiredSignature"
    # (5) a signature by someone else than the named applicant
    late = now(chain) + 600
    r6, sig6 = _signed(relayer, actors.carol, "sixth", late, 1)
    with pytest.raises(ContractRevert) as exc:
        relayer.register_for(r6, actors.alice.address, late, sig6)  # type: ignore[arg-type]
    assert exc.value.name == "RegistryInvalidSigner"
    # The client helper signs with the right nonce.
    r7 = reg("seventh")
    good = relayer.sign_registration(actors.alice, r7, late)
    assert relayer.register_for(r7, actors.alice.address, late, good).asset_id == r7.asset_id
