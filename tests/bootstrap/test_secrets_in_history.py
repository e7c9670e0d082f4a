"""A password typed on a command line at the prompt never reaches the history file."""

from crmshell.repl.history import file_history, mask_secrets


def test_passwords_are_masked_in_every_spelling():
    assert mask_secrets("cluster auth n1 -p s3cret") == "cluster auth n1 -p ********"
    assert mask_secrets("cluster auth --password=s3cret n1") == \
        "cluster auth --password=******** n1"
    assert mask_secrets("cluster auth -u u -p 'a b' n2") == "cluster auth -u u -p ******** n2"
    assert mask_secrets("configure primitive p-1 Dummy") == "configure primitive p-1 Dummy"


def test_the_history_file_keeps_the_masked_line(tmp_path):
    history = file_history({"XDG_STATE_HOME": str(tmp_path)})
    history.append_string("cluster auth node1 -p hunter22")
    text = (tmp_path / "crmshell" / "history").read_text()
    assert "hunter22" not in text and "cluster auth node1 -p ********" in text
    assert "hunter22" not in " ".join(history.get_strings())
