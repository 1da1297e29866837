"""The one error type of the legacy side; the CLI prints it as ``error: <message>`` and exits with 2."""


class LegacyError(Exception):
    """A problem the user can fix; the message is one line that says how."""

    exit_code = 2

    def __str__(self):
        return " ".join(str(a) for a in self.args).replace("\n", " ")
