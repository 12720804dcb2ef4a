Console.WriteLine("iamkeys: not written yet");
