"""`site ticket` on a CIB file: show and time read the status section's tickets; the
changes need the running cluster and say so."""

import io

from crmshell.session import Session

CIB = """<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.9">
  <configuration><crm_config/><nodes/><resources/><constraints/></configuration>
  <status><tickets>
    <ticket_state id="ticketA" granted="true" last-granted="1767225600"/>
    <ticket_state id="ticketB" granted="false" standby="true"/>
  </tickets></status>
</cib>
"""


def _run(tmp_path, *words):
    path = tmp_path / "cib.xml"
    if not path.exists():
        path.write_text(CIB)
    out, err = io.StringIO(), io.StringIO()
    session = Session.create(cib_file=str(path), env={"TZ": "UTC"}, out=out, err=err)
    return session.one_shot(list(words)), out.getvalue(), err.getvalue()


def test_show_and_time_read_the_file(tmp_path):
    status, out, _ = _run(tmp_path, "site", "ticket", "show", "ticketA")
    assert status == 0 and out.startswith("ticketA\tgranted last-granted=")
    status, out, _ = _run(tmp_path, "site", "ticket", "show", "ticketB")
    assert out.strip() == "ticketB\trevoked [standby]"
    status, out, err = _run(tmp_path, "site", "ticket", "time", "ticketB")
    assert status == 1 and "never been granted" in err


def test_changes_need_the_cluster(tmp_path):
    status, _, err = _run(tmp_path, "site", "ticket", "grant", "ticketB")
    assert status == 1 and "needs the crmshell node daemon" in err
    assert 'granted="false"' in (tmp_path / "cib.xml").read_text()
