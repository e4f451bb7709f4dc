"""Prove a build bit-exact: run the generated C and a reference interpreter on the
same inputs and compare every output byte."""
