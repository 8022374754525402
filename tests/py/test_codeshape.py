"""tools/codeshape.py: the house size limits hold on this tree (files of
at most 600 lines, functions of at most 80 outside getopt switches), and
the checker does catch an offence."""
import os
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SCRIPT = os.path.join(ROOT, "tools", "codeshape.py")


def run(root):
    p = subprocess.run(["/usr/bin/python3", SCRIPT, root],
                       capture_output=True, text=True)
    return p.returncode, p.stdout


class Codeshape(unittest.TestCase):
    def test_this_tree(self):
        rc, out = run(ROOT)
        self.assertEqual(rc, 0, out)

    def test_catches_long_function_and_file(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "testbed"))
            body = "\n".join("\tx++;" for _ in range(90))
            with open(os.path.join(d, "testbed", "long.c"), "w") as f:
                f.write("static int x;\n\nint long_one(void)\n{\n%s\n"
                        "\treturn x;\n}\n" % body)
                f.write("\n" * 600)
            rc, out = run(d)
            self.assertEqual(rc, 1)
            self.assertIn("testbed/long.c:3: function long_one", out)
            self.assertIn("testbed/long.c:1:", out)

    def test_getopt_main_is_exempt(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "harness", "x"))
            body = "\n".join("\tcase %d: break;" % i for i in range(90))
            with open(os.path.join(d, "harness", "x", "main.c"), "w") as f:
                f.write("int main(int argc, char **argv)\n{\n"
                        "\twhile (getopt_long(argc, argv, \"\", 0, 0))\n"
                        "\tswitch (argc) {\n%s\n\t}\n\treturn 0;\n}\n"
                        % body)
            rc, out = run(d)
            self.assertEqual(rc, 0, out)


if __name__ == "__main__":
    unittest.main()
