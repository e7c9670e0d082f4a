"""Bringing every member to one CIB when the group's membership grows (pure, no I/O).

Corosync delivers a configuration change to every member at the same place among the
messages. After one in which someone joined, the lowest member (our DC) starts a sync round
with an agreed message; from its delivery on, every member holds the updates that follow
and answers with an offer: its CIB's version and digest as of that point. Once the offers of
every member are delivered, all of them know the same offers and agree, without a further
exchange, on the winner: the highest (admin_epoch, epoch, num_updates), as Pacemaker takes
it, the lowest member on a tie, with one refinement: at the same configuration version
(admin_epoch, epoch), a member that has been in a group with others since it started wins
over one that has not. The latter's CIB came from its disk, whose status section is empty
and whose num_updates counts nothing the cluster knows of: a node restarted alone must not
wipe the status of a running cluster, and then have its DC fence the members that status
no longer shows. If all offers are the same CIB the round simply ends;
otherwise the winner sends its CIB whole and everyone installs it, clearing in it what it
says of the members that were apart (Pacemaker's DC likewise erases a joining node's
resource history and asks it again). Then the held updates are applied, in their order,
everywhere alike.

Why a start message, rather than offers straight after the change: a member that lags
sends messages for a configuration already replaced, and corosync delivers them in the newer
one; after a partition heals, the old and new configurations can even have the same
members, so an offer cannot say which change it answers. A start message is delivered at one
place for everyone, and offers answer it by its number: whatever a lagging member sent
earlier names an older round and is ignored, and even a late start message only runs a
round at a point every member sees alike. Updates delivered between the change and the
start are applied as usual (the winner has them too: it got the same messages).

A configuration change during a round ends it without a sync: each member applies what it
held (only the old configuration's members saw it), and the next round, if anyone joined,
carries it in the offers.

A member that stays in the group but does not answer (a daemon stopped or hung: corosync
keeps its membership while its connection lives) must not hold every node's updates for
ever. Each member gives a round `ROUND_TIMEOUT_S` after its start (and after each cut); then
it sends an agreed abort naming the round and the number of cuts so far. The first abort
delivered cuts the round for everyone alike, the others name a cut already made and are
ignored: the round goes on with the offers delivered by then (the silent members are left
out), or, when the winner was chosen and its CIB is what did not come, with the best of
the other offers. A silent member that comes back reads the same messages in the same
order and ends the round the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

Member = tuple[int, int]        # (node id, pid) of a daemon in the process group
Round = tuple[int, int, int]    # (leader node id, leader pid, the leader's count)
ROUND_TIMEOUT_S = 15.0          # how long a member waits for a round before cutting it


@dataclass(frozen=True)
class Offer:
    sender: Member
    version: tuple[int, int, int]
    digest: str
    peered: bool = False        # the sender has been in a group with others since it started


# ---- commands for the I/O shell --------------------------------------------------------------
@dataclass(frozen=True)
class SendStart:
    """This node leads: send the start of round `round` (an agreed message)."""

    round: Round


@dataclass(frozen=True)
class SendOffer:
    """Send this node's offer (version and digest of the CIB as it is now) for `round`."""

    round: Round


@dataclass(frozen=True)
class SendCib:
    """This node won `round`: send the whole CIB as it is now."""

    round: Round


@dataclass(frozen=True)
class SendAbort:
    """This node gave up waiting: send the abort of `round` at cut number `cut`."""

    round: Round
    cut: int


@dataclass(frozen=True)
class RoundOver:
    """Apply the held updates; `install_from` is the member whose CIB was installed (None:
    every member had the same one, or the round was cut short). `stale` are the members
    whose offer differed from the winner's: they were apart, so what the winner's CIB says
    of them (their resources' history, their transient attributes) is old; every member
    clears it alike as it installs the CIB, and those members' resources are probed again."""

    round: Round | None
    install_from: Member | None
    stale: tuple[Member, ...] = ()


class SyncRounds:
    """The round in progress, as every member sees it."""

    def __init__(self, me: Member) -> None:
        self.me = tuple(me)
        self.members: tuple[Member, ...] = ()
        self.expecting = False          # someone joined: a start message is due
        self.round: Round | None = None  # the round whose offers are collected
        self.offers: dict[Member, Offer] = {}
        self.winner: Member | None = None
        self.cuts = 0                   # aborts applied to the round
        self.left_out: set[Member] = set()  # members a cut left out of it
        self._started = 0               # rounds this member started as leader

    @property
    def syncing(self) -> bool:
        """Updates are held (a round runs)."""
        return self.round is not None

    @property
    def busy(self) -> bool:
        """A round runs or is about to start: the membership is not settled yet."""
        return self.expecting or self.syncing

    @property
    def leader(self) -> Member | None:
        return self.members[0] if self.members else None

    def on_confchg(self, members, joined) -> list:
        """A configuration change: a round is due if anyone joined or one was under way."""
        self.members = tuple(sorted({tuple(m) for m in members}))
        out = []
        if self.syncing:
            out.append(RoundOver(self.round, None))
        was_busy = self.busy
        self.round, self.offers, self.winner = None, {}, None
        self.cuts, self.left_out = 0, set()
        self.expecting = bool(joined) or was_busy
        if self.expecting and self.leader == self.me:
            self._started += 1
            out.append(SendStart((*self.me, self._started)))
        return out

    def on_start(self, sender: Member, round_: Round) -> list:
        sender, round_ = tuple(sender), tuple(round_)
        if sender != self.leader or tuple(round_[:2]) != sender or self.me not in self.members:
            return []           # from a member that no longer leads: a stale start
        out = [RoundOver(self.round, None)] if self.syncing else []
        self.expecting = False
        self.round, self.offers, self.winner = round_, {}, None
        self.cuts, self.left_out = 0, set()
        out.append(SendOffer(round_))
        return out

    def on_offer(self, sender: Member, round_: Round, version, digest: str,
                 peered: bool = False) -> list:
        sender = tuple(sender)
        if not self.syncing or tuple(round_) != self.round or sender not in self.members:
            return []           # answers an earlier round
        if sender in self.left_out:
            return []           # too late: the round went on without it
        self.offers[sender] = Offer(sender, tuple(version), digest, peered)
        if len(self.offers) + len(self.left_out) < len(self.members) or self.winner is not None:
            return []
        return self._decide()

    def _decide(self) -> list:
        """All awaited offers are in: end the round, or name the winner."""
        offers = [o for m, o in self.offers.items() if m not in self.left_out]
        if not offers or len({(o.version, o.digest) for o in offers}) == 1:
            done, self.round = self.round, None
            return [RoundOver(done, None)]
        self.winner = max(offers, key=_rank).sender
        return [SendCib(self.round)] if self.winner == self.me else []

    def on_timeout(self, round_: Round, cut: int) -> list:
        """This member's wait for `round_` (started at cut `cut`) ran out."""
        if not self.syncing or tuple(round_) != self.round or cut != self.cuts:
            return []
        return [SendAbort(self.round, self.cuts)]

    def on_abort(self, sender: Member, round_: Round, cut: int) -> list:
        """The round is cut (the first abort of this cut, for everyone alike): go on with
        the offers delivered, leaving out who did not answer, or the winner whose CIB did
        not come."""
        if (not self.syncing or tuple(round_) != self.round or cut != self.cuts
                or tuple(sender) not in self.members):
            return []
        self.cuts += 1
        if self.winner is not None:
            self.left_out.add(self.winner)
            self.winner = None
        else:
            self.left_out |= {m for m in self.members if m not in self.offers}
        return self._decide()

    def on_cib(self, sender: Member, round_: Round) -> list:
        """The winner's CIB arrived: install it (the shell does) and end the round."""
        sender = tuple(sender)
        if not self.syncing or tuple(round_) != self.round or sender != self.winner:
            return []
        won = self.offers[sender]
        stale = tuple(m for m, o in sorted(self.offers.items())
                      if (o.version, o.digest) != (won.version, won.digest))
        done, self.round, self.winner = self.round, None, None
        return [RoundOver(done, sender, stale)]

    def accepts_cib(self, sender: Member, round_: Round) -> bool:
        """Whether a CIB message is the one this round waits for (the shell keeps its body)."""
        return self.syncing and tuple(round_) == self.round and tuple(sender) == self.winner


def _rank(offer: Offer) -> tuple:
    admin_epoch, epoch, num_updates = offer.version
    return (admin_epoch, epoch, offer.peered, num_updates, -offer.sender[0], -offer.sender[1])
