namespace IamKeyFunc; internal static class Program { private static void Main() { } }
